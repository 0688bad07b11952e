namespace MLNet.Embeddings.Training.Data.Generation;

/// <summary>What a <see cref="DataGenerator"/> run did. Counts are totals over the run and the runs it resumed.</summary>
public sealed class GenerationSummary
{
    /// <summary>The output file (or <c>OUTPUT.partial</c> when the request budget stopped the run).</summary>
    public string Output { get; set; } = "";
    /// <summary>The task.</summary>
    public string Task { get; set; } = "";
    /// <summary>The model named in the rows' provenance.</summary>
    public string Model { get; set; } = "";
    /// <summary>The prompt template's id.</summary>
    public string Template { get; set; } = "";
    /// <summary>Input rows done.</summary>
    public long Items { get; set; }
    /// <summary>Of <see cref="Items"/>, those an interrupted run had already done.</summary>
    public long ResumedItems { get; set; }
    /// <summary>Requests made (one per input row; retries inside one request not counted).</summary>
    public long Requests { get; set; }
    /// <summary>Requests that failed after their retries (server errors, timeouts, unreadable replies); their rows got nothing.</summary>
    public long FailedRequests { get; set; }
    /// <summary>Texts the model wrote (after parsing).</summary>
    public long Generated { get; set; }
    /// <summary>Generated texts that passed every filter.</summary>
    public long Kept { get; set; }
    /// <summary>Rows in the output.</summary>
    public long Rows { get; set; }
    /// <summary>Dropped replies and texts by filter: parse_failure and refusal (replies), length, language,
    /// exact_duplicate, near_duplicate, round_trip, judge (texts).</summary>
    public SortedDictionary<string, long> Dropped { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Prompt tokens the API reported.</summary>
    public long InputTokens { get; set; }
    /// <summary>Completion tokens the API reported.</summary>
    public long OutputTokens { get; set; }
    /// <summary>(<see cref="InputTokens"/> + <see cref="OutputTokens"/>) / 1000 × price, when a price was given.</summary>
    public double? Cost { get; set; }
    /// <summary>True when the request budget ended the run before the input did; the output stays partial and resumable.</summary>
    public bool BudgetReached { get; set; }
    /// <summary>True when a resumed run found the output already complete.</summary>
    public bool AlreadyComplete { get; set; }
}
