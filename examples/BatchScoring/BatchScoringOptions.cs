namespace BatchScoringExample;

/// <summary>Settings of one batch-scoring run (see Program.cs for the command line).</summary>
public sealed class BatchScoringOptions
{
    /// <summary>A CSV/TSV file with a header; null generates one from the financial-qa-10K contexts (<see cref="Rows"/> rows).</summary>
    public string? InputPath { get; set; }
    /// <summary>Rows of the generated input (the 7,000 contexts repeated).</summary>
    public int Rows { get; set; } = 20_000;
    /// <summary>The text column (header name).</summary>
    public string TextColumn { get; set; } = "text";
    /// <summary>The id column (header name); null or absent: no id in the output.</summary>
    public string? IdColumn { get; set; } = "id";
    /// <summary>Field separator; null: tab for .tsv, else comma.</summary>
    public char? Separator { get; set; }
    /// <summary>A word-vector file or a sentence-transformers folder.</summary>
    public string ModelPath { get; set; } = BatchScoringJob.DefaultGlove;
    /// <summary>The output: .jsonl or .parquet.</summary>
    public string OutputPath { get; set; } = Path.Combine(Path.GetTempPath(), "batch-scoring", "embeddings.jsonl");
    /// <summary>Rows read ahead and embedded together (ApplyEmbeddingOptions.WindowSize), and rows per write.</summary>
    public int WindowSize { get; set; } = 1024;
    /// <summary>Texts per forward pass inside a window.</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>Token cap per text; null uses the model's own.</summary>
    public int? MaxLength { get; set; }
}
