using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.CrossEncoders;

// Sequence classification: the same model with N named labels, on single texts or pairs.
public sealed partial class CrossEncoder
{
    /// <summary>
    /// A new sequence classifier on an embedding model's (or any BERT-family checkpoint's) weights, with one output per
    /// label in <paramref name="labels"/> (their order is the class index; saved as <c>id2label</c>/<c>label2id</c>) and a
    /// softmax activation. Otherwise as <see cref="FromEncoder(string, int, int)"/>.
    /// </summary>
    /// <exception cref="ConfigurationException">Fewer than two labels, or a label twice.</exception>
    /// <exception cref="ModelFormatException">The folder holds no BERT-family model.</exception>
    public static CrossEncoder FromEncoder(string folder, IReadOnlyList<string> labels, int seed = 42)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count < 2) throw new ConfigurationException(nameof(labels), $"a classifier needs at least two labels, found {labels.Count}.");
        if (labels.GroupBy(l => l, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ConfigurationException(nameof(labels), $"label '{twice.Key}' is given twice.");
        var m = FromEncoder(folder, labels.Count, seed);
        return new CrossEncoder(m.Backbone, m.Head, m.Tokenizer, m.Pairs, labels.ToArray(), CrossEncoderActivation.Softmax, m.MaxLength)
        { SourcePath = m.SourcePath };
    }

    /// <summary>
    /// Tokenizes one text as a classifier reads it: <c>[CLS] text [SEP]</c> (the single-text template of the tokenizer),
    /// truncated to <paramref name="maxLength"/> (default <see cref="MaxLength"/>). A single text is a pair without a second text.
    /// </summary>
    public TokenizedText Tokenize(string text, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Tokenizer.Encode(text, Math.Min(maxLength ?? MaxLength, Backbone.MaxPositions), addSpecialTokens: true);
    }

    /// <summary>Tokenizes a text, or a pair when <paramref name="second"/> is not null.</summary>
    internal TokenizedText Tokenize(string text, string? second, int maxLength)
        => second is null ? Tokenize(text, maxLength) : Pairs.Encode(text, second, maxLength);

    /// <summary>Raw logits [texts][NumLabels] of single texts, in input order (batched by length, as the pair overload).</summary>
    /// <exception cref="ConfigurationException">An option is out of range.</exception>
    public float[][] PredictLogits(IReadOnlyList<string> texts, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        options ??= new CrossEncoderOptions();
        if (options.BatchSize <= 0) throw new ConfigurationException(nameof(CrossEncoderOptions.BatchSize), $"must be at least 1, found {options.BatchSize}.");
        int maxLength = options.MaxLength ?? MaxLength;
        if (maxLength < 2) throw new ConfigurationException(nameof(CrossEncoderOptions.MaxLength), $"must be at least 2 (the special tokens), found {maxLength}.");
        var tokenized = new TokenizedText[texts.Count];
        for (int i = 0; i < texts.Count; i++)
            tokenized[i] = Tokenize(texts[i] ?? throw new ArgumentException($"texts[{i}] is null.", nameof(texts)), maxLength);
        return CrossEncoderScoring.RunBatches(tokenized, NumLabels, Logits, options, cancellationToken);
    }

    /// <summary>
    /// Classifies single texts: per text the most probable label and the softmax probability of every label (whatever
    /// <see cref="Activation"/> says), in input order.
    /// </summary>
    public IReadOnlyList<ClassPrediction> Classify(IReadOnlyList<string> texts, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
        => ToPredictions(PredictLogits(texts, options, cancellationToken));

    /// <summary>Classifies text pairs (e.g. premise and hypothesis for NLI), as <see cref="Classify(IReadOnlyList{string}, CrossEncoderOptions?, CancellationToken)"/>.</summary>
    public IReadOnlyList<ClassPrediction> Classify(IReadOnlyList<(string Query, string Document)> pairs, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
        => ToPredictions(PredictLogits(pairs, options, cancellationToken));

    IReadOnlyList<ClassPrediction> ToPredictions(float[][] logits)
    {
        var result = new ClassPrediction[logits.Length];
        for (int i = 0; i < logits.Length; i++)
        {
            var p = logits[i];
            Activate(p, CrossEncoderActivation.Softmax);
            int best = 0;
            for (int j = 1; j < p.Length; j++) if (p[j] > p[best]) best = j;
            result[i] = new ClassPrediction(best, Labels[best], p);
        }
        return result;
    }
}
