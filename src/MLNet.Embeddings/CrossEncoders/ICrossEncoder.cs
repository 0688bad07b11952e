namespace MLNet.Embeddings.CrossEncoders;

/// <summary>
/// A reranker on any backend: the managed <see cref="CrossEncoder"/>, ONNX Runtime (<c>OnnxCrossEncoder</c>) or
/// libtorch (<c>TorchCrossEncoder</c>). All of them tokenize pairs the same way, batch them by length and return the same
/// scores, so evaluators and data tools take this interface and run on whichever backend the caller loaded.
/// </summary>
public interface ICrossEncoder
{
    /// <summary>Label names (config.json <c>id2label</c>); one entry for a reranker.</summary>
    IReadOnlyList<string> Labels { get; }
    /// <summary>Number of logits per pair.</summary>
    int NumLabels { get; }
    /// <summary>What <see cref="Predict"/> applies to the logits (sigmoid for one label unless the folder says otherwise).</summary>
    CrossEncoderActivation Activation { get; }
    /// <summary>Token cap per pair, special tokens included.</summary>
    int MaxLength { get; }

    /// <summary>Raw logits [pairs][NumLabels], in input order.</summary>
    float[][] PredictLogits(IReadOnlyList<(string Query, string Document)> pairs, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Every label's score per pair ([pairs][NumLabels]), after the activation.</summary>
    float[][] PredictAll(IReadOnlyList<(string Query, string Document)> pairs, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>One score per pair, in input order: the last label's score after the activation.</summary>
    float[] Predict(IReadOnlyList<(string Query, string Document)> pairs, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Scores every document against <paramref name="query"/>, best first (ties keep input order); at most <paramref name="topK"/>.</summary>
    IReadOnlyList<RankedDocument> Rank(string query, IReadOnlyList<string> documents, int? topK = null, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default);
}
