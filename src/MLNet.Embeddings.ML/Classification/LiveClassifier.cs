using MLNet.Embeddings.CrossEncoders;

namespace MLNet.Embeddings.ML;

/// <summary>A trained classifier with how its stage reads rows (single text or pair, token cap); one row at a time, thread-safe.</summary>
internal sealed class LiveClassifier(CrossEncoder model, bool pair, int? maxLength)
{
    readonly object _gate = new();
    public CrossEncoder Model { get; } = model;
    public bool Pair { get; } = pair;
    public int? MaxLength { get; } = maxLength;

    public (float[] Scores, ReadOnlyMemory<char> Label) Classify(string text, string second)
    {
        var options = new CrossEncoderOptions { MaxLength = MaxLength, BatchSize = 1 };
        ClassPrediction p;
        lock (_gate) p = Pair ? Model.Classify(new[] { (text, second) }, options)[0] : Model.Classify(new[] { text }, options)[0];
        return (p.Probabilities, p.Label.AsMemory());
    }

    /// <summary>Whole columns at once, batched by length (Transform over a data view).</summary>
    public IReadOnlyList<ClassPrediction> Classify(IReadOnlyList<string> texts, IReadOnlyList<string>? seconds)
    {
        var options = new CrossEncoderOptions { MaxLength = MaxLength };
        lock (_gate)
            return Pair ? Model.Classify(texts.Select((t, i) => (t, seconds![i])).ToArray(), options) : Model.Classify(texts, options);
    }
}
