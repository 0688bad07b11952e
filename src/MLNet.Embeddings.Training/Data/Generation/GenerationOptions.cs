namespace MLNet.Embeddings.Training.Data.Generation;

/// <summary>Options of <see cref="DataGenerator"/>: files, task, prompt, sampling, filters and the request budget.</summary>
public sealed class GenerationOptions
{
    /// <summary>Input file. Queries: passages (<c>.jsonl</c> with a <c>text</c> field or <see cref="TextColumn"/>,
    /// <c>.txt</c>, <c>.csv</c>, <c>.tsv</c>, <c>.parquet</c>). Paraphrases and negatives: training rows (JSONL with <c>query</c> and <c>pos</c>).</summary>
    public required string Input { get; set; }

    /// <summary>Output JSONL in the training format (built in <c>OUTPUT.partial</c>, renamed when complete).</summary>
    public required string Output { get; set; }

    /// <summary>What to generate. Default <see cref="GenerationTask.Queries"/>.</summary>
    public GenerationTask Task { get; set; } = GenerationTask.Queries;

    /// <summary>Texts asked for per input row (one request per row). Default 3.</summary>
    public int PerItem { get; set; } = 3;

    /// <summary>Field or column holding a passage (queries task); null: <c>text</c>.</summary>
    public string? TextColumn { get; set; }

    /// <summary>Model name written into each row's provenance; null: the chat client's default model id.</summary>
    public string? Model { get; set; }

    /// <summary>Prompt template; null: <see cref="PromptTemplate.Default"/> of the task.</summary>
    public PromptTemplate? Template { get; set; }

    /// <summary>Rows (<c>query</c> + <c>pos</c>) shown to the model as few-shot examples, up to three per prompt, rotating; empty: none.</summary>
    public IReadOnlyList<TrainingExample> Examples { get; set; } = [];

    /// <summary>Sampling temperature passed to the model; null: the model's default. Default 0.7.</summary>
    public float? Temperature { get; set; } = 0.7f;

    /// <summary>Sampling seed passed to the model (where the API supports one); null: none.</summary>
    public long? Seed { get; set; }

    /// <summary>Largest number of requests in flight. Default 4.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Requests this run may make; when spent the run stops with its rows committed and <c>--resume</c> continues. Null: no limit.</summary>
    public int? MaxRequests { get; set; }

    /// <summary>Price per 1,000 tokens (prompt and completion) for the cost in the summary; null: no cost.</summary>
    public double? PricePer1KTokens { get; set; }

    /// <summary>Shortest generated text kept, in characters. Default 5.</summary>
    public int MinChars { get; set; } = 5;

    /// <summary>Longest generated text kept, in characters; null: 300 for queries and paraphrases, 4,000 for negatives.</summary>
    public int? MaxChars { get; set; }

    /// <summary>Drop generated texts whose script (Latin, Han, Cyrillic …) differs from the source text's. Default true.</summary>
    public bool CheckLanguage { get; set; } = true;

    /// <summary>Drop near duplicates of texts already kept (MinHash, <see cref="NearDuplicates"/>); exact duplicates are always dropped. Default true.</summary>
    public bool DropNearDuplicates { get; set; } = true;

    /// <summary>Near-duplicate settings (threshold 0.8 estimated Jaccard).</summary>
    public NearDuplicateOptions NearDuplicates { get; set; } = new();

    /// <summary>Queries task: keep a query only if its own passage ranks within this many among all input passages
    /// (round-trip consistency); 0 turns the check off. Default 3.</summary>
    public int RoundTripTopK { get; set; } = 3;

    /// <summary>Ranks passages for the round-trip check; null: BM25 over the input passages.</summary>
    public SentenceEncoder? RoundTripEncoder { get; set; }

    /// <summary>Negatives task: drops a generated negative it scores above the row's positive; null: no judge.</summary>
    public IRelevanceJudge? Judge { get; set; }

    /// <summary>Continue an interrupted run from its commit marker instead of starting over.</summary>
    public bool Resume { get; set; }

    /// <summary>The longest text kept for <see cref="Task"/>.</summary>
    public int EffectiveMaxChars => MaxChars ?? (Task == GenerationTask.Negatives ? 4000 : 300);

    /// <summary>The template used for <see cref="Task"/>.</summary>
    public PromptTemplate EffectiveTemplate => Template ?? PromptTemplate.Default(Task);

    internal void Validate()
    {
        if (PerItem < 1) throw new ConfigurationException(nameof(PerItem), $"expected at least 1, found {PerItem}.");
        if (MaxConcurrency < 1) throw new ConfigurationException(nameof(MaxConcurrency), $"expected at least 1, found {MaxConcurrency}.");
        if (MaxRequests is < 1) throw new ConfigurationException(nameof(MaxRequests), $"expected at least 1, found {MaxRequests}.");
        if (RoundTripTopK < 0) throw new ConfigurationException(nameof(RoundTripTopK), $"expected 0 (off) or more, found {RoundTripTopK}.");
        if (MinChars < 0 || EffectiveMaxChars < MinChars) throw new ConfigurationException(nameof(MaxChars), $"expected 0 ≤ min ≤ max, found {MinChars} and {EffectiveMaxChars}.");
        if (Temperature is { } t && (!float.IsFinite(t) || t < 0)) throw new ConfigurationException(nameof(Temperature), $"expected a number ≥ 0, found {t}.");
        if (PricePer1KTokens is { } p && (!double.IsFinite(p) || p < 0)) throw new ConfigurationException(nameof(PricePer1KTokens), $"expected a price ≥ 0, found {p}.");
    }
}
