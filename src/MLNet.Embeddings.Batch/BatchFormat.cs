namespace MLNet.Embeddings.Training.Batch;

/// <summary>File formats of batch jobs' inputs and outputs, chosen by extension.</summary>
public enum BatchFormat
{
    /// <summary>.txt: one text per line (input only).</summary>
    Text,
    /// <summary>.jsonl / .ndjson: one JSON object per line.</summary>
    Jsonl,
    /// <summary>.csv: comma-separated with a header row (input only).</summary>
    Csv,
    /// <summary>.tsv: tab-separated with a header row (input only).</summary>
    Tsv,
    /// <summary>.parquet: Apache Parquet.</summary>
    Parquet,
}
