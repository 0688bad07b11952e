namespace MLNet.Embeddings.Training.Data;

/// <summary>Reads training files. Placeholder signature; the data work replaces this file.</summary>
public static class TrainingDataReader
{
    /// <summary>
    /// Streams rows from JSONL (seeds' format, anchor/positive[/negative], sentence1/sentence2/score[/label])
    /// or .txt (one sentence per line, for SimCSE). Errors name the file and line.
    /// </summary>
    public static IEnumerable<TrainingExample> Read(string path) => throw new NotImplementedException();
}
