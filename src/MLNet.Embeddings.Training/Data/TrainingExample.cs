namespace MLNet.Embeddings.Training.Data;

/// <summary>
/// One row of the seeds' JSONL format <c>{"query", "pos": [..], "neg": [..], "pos_scores", "neg_scores", "prompt", "type"}</c>.
/// Pairs, triplets and scored pairs map onto it: anchor → Query, positive / sentence2 → Pos[0],
/// negative → Neg[0], score → Score, label → Label.
/// </summary>
public sealed class TrainingExample
{
    /// <summary>The query / anchor / sentence1.</summary>
    public string Query { get; set; } = "";
    /// <summary>Positive texts (at least one for retrieval rows).</summary>
    public List<string> Pos { get; set; } = new();
    /// <summary>Hard negatives.</summary>
    public List<string> Neg { get; set; } = new();
    /// <summary>Teacher scores for <see cref="Pos"/>, or null.</summary>
    public List<float>? PosScores { get; set; }
    /// <summary>Teacher scores for <see cref="Neg"/>, or null.</summary>
    public List<float>? NegScores { get; set; }
    /// <summary>Instruction prepended to the query, or null.</summary>
    public string? Prompt { get; set; }
    /// <summary>Task type tag, or null.</summary>
    public string? Type { get; set; }
    /// <summary>Gold similarity for scored pairs (as in the file, e.g. 0..5 or 0..1), or null.</summary>
    public float? Score { get; set; }
    /// <summary>0/1 label for labelled pairs, or null.</summary>
    public int? Label { get; set; }
    /// <summary>1-based line in the source file (for error messages), 0 when not from a file.</summary>
    public int Line { get; set; }
    /// <summary>Extra fields kept as raw JSON (e.g. provenance of mined negatives), or null.</summary>
    public Dictionary<string, System.Text.Json.JsonElement>? Extra { get; set; }
}
