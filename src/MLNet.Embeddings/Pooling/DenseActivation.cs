namespace MLNet.Embeddings.Pooling;

/// <summary>The activation of a sentence-transformers <c>Dense</c> module (<c>activation_function</c>).</summary>
public enum DenseActivation
{
    /// <summary><c>torch.nn.modules.linear.Identity</c> (EmbeddingGemma).</summary>
    Identity,
    /// <summary><c>torch.nn.modules.activation.Tanh</c> (sentence-transformers' default).</summary>
    Tanh,
}
