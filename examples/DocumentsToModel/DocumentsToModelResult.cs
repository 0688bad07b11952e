using MLNet.Embeddings.Training.Data.Generation;

namespace DocumentsToModelExample;

/// <summary>What each step of <see cref="DocumentsToModelJob"/> produced.</summary>
public sealed class DocumentsToModelResult
{
    /// <summary>The generation summary (requests, filters and their counts, tokens).</summary>
    public required GenerationSummary Generation { get; init; }
    /// <summary>Rows after mining one hard negative each.</summary>
    public long MinedRows { get; init; }
    /// <summary>Rows in train, val and test.</summary>
    public required long[] SplitRows { get; init; }
    /// <summary>Rows the model was trained on.</summary>
    public int TrainRows { get; init; }
    /// <summary>Test metrics before fine-tuning.</summary>
    public required IReadOnlyDictionary<string, double> Before { get; init; }
    /// <summary>Test metrics after fine-tuning.</summary>
    public required IReadOnlyDictionary<string, double> After { get; init; }
    /// <summary>The fine-tuned model's folder.</summary>
    public required string ModelDir { get; init; }
}
