namespace MLNet.Embeddings.CrossEncoders;

/// <summary>What <see cref="CrossEncoder.Predict"/> applies to the logits (sentence-transformers' CrossEncoder <c>activation_fn</c>).</summary>
public enum CrossEncoderActivation
{
    /// <summary>The raw logits.</summary>
    Identity,
    /// <summary>1 / (1 + e^−x) per logit: sentence-transformers' default for one label.</summary>
    Sigmoid,
    /// <summary>Softmax over the labels of each pair.</summary>
    Softmax,
}
