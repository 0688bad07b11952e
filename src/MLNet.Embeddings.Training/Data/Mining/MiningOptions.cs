namespace MLNet.Embeddings.Training.Data.Mining;

/// <summary>
/// Options for <see cref="HardNegativeMiner"/>, after sentence-transformers' <c>mine_hard_negatives</c> and
/// FlagEmbedding's <c>hn_mine</c>. For every row, candidates are ranked by score (BM25 or cosine) after removing
/// the query itself and every positive (texts compared case-, whitespace- and NFKC-insensitively); ranks are
/// 1-based over what remains. The window keeps ranks <c>RangeMin + 1 … RangeMax</c> (i.e. the slice
/// <c>[RangeMin, RangeMax)</c>, so <c>RangeMin = 10, RangeMax = 100</c> skips the 10 closest candidates, which are
/// often unlabelled positives, as FlagEmbedding's <c>range_for_sampling 10-100</c>). Then the score caps apply,
/// then <see cref="Sampling"/> picks <see cref="NumNegatives"/>.
/// </summary>
public sealed class MiningOptions
{
    /// <summary>BM25, dense or hybrid. Default BM25.</summary>
    public MiningMethod Method { get; set; } = MiningMethod.Bm25;
    /// <summary>Negatives per row. Default 3 (sentence-transformers' num_negatives).</summary>
    public int NumNegatives { get; set; } = 3;
    /// <summary>Number of best-ranked candidates skipped. Default 0.</summary>
    public int RangeMin { get; set; }
    /// <summary>Last rank considered (1-based, inclusive). Default 100.</summary>
    public int RangeMax { get; set; } = 100;
    /// <summary>Absolute cap: candidates scoring above it are skipped (likely false negatives). Null: no cap.</summary>
    public float? MaxScore { get; set; }
    /// <summary>Relative margin: keep a candidate only if score ≤ positive score × (1 − margin). E.g. 0.05. Null: none.</summary>
    public float? RelativeMargin { get; set; }
    /// <summary>Absolute margin: keep a candidate only if score ≤ positive score − margin. Null: none.</summary>
    public float? AbsoluteMargin { get; set; }
    /// <summary>Top or random sampling from the window. Default top.</summary>
    public SamplingStrategy Sampling { get; set; } = SamplingStrategy.Top;
    /// <summary>Seed for random sampling (combined with the row's index). Default 42.</summary>
    public int Seed { get; set; } = 42;
    /// <summary>Keep the row's existing negatives and append mined ones (never repeating one). Default false: replace.</summary>
    public bool KeepExistingNegatives { get; set; }
    /// <summary>Hybrid only: BM25 candidates per query re-scored by the model. Default 200.</summary>
    public int HybridCandidates { get; set; } = 200;
    /// <summary>BM25 parameters (BM25 and hybrid).</summary>
    public Bm25Options Bm25 { get; set; } = new();
    /// <summary>Write pos_scores / neg_scores: cosine similarities from the encoder (needs a model). Default false.</summary>
    public bool TeacherScores { get; set; }
    /// <summary>Prepend each row's "prompt" to its query before encoding (dense, hybrid, teacher scores). Default true.</summary>
    public bool UseRowPrompt { get; set; } = true;
    /// <summary>Write provenance of each negative (method, rank, score) to the row's "neg_meta" field. Default true.</summary>
    public bool WriteProvenance { get; set; } = true;
    /// <summary>Rows processed together (in parallel) when mining a file. Default 2048.</summary>
    public int ChunkSize { get; set; } = 2048;
    /// <summary>Worker threads; null: all processors.</summary>
    public int? Threads { get; set; }
    /// <summary>Encoding options for dense / hybrid / teacher scores (batch size, prompt names …).</summary>
    public MLNet.Embeddings.EncodeOptions? EncodeOptions { get; set; }
    /// <summary>Receives the number of rows mined so far.</summary>
    public IProgress<long>? Progress { get; set; }

    internal void Check()
    {
        if (NumNegatives < 0) throw new ArgumentException("NumNegatives must be ≥ 0");
        if (RangeMin < 0 || RangeMax <= RangeMin) throw new ArgumentException($"need 0 ≤ RangeMin < RangeMax (got {RangeMin}, {RangeMax})");
        if (HybridCandidates < 1) throw new ArgumentException("HybridCandidates must be ≥ 1");
        if (RelativeMargin is < 0 or >= 1) throw new ArgumentException("RelativeMargin must be in [0, 1)");
    }
}
