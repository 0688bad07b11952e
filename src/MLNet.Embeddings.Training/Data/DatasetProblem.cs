namespace MLNet.Embeddings.Training.Data;

/// <summary>One problem found in a dataset file: the 1-based line, the field (or null) and what is wrong.</summary>
/// <param name="Line">1-based line in the file (0 when not line-specific).</param>
/// <param name="Field">The field concerned, or null for the whole row.</param>
/// <param name="Message">What was expected and what was found.</param>
public sealed record DatasetProblem(int Line, string? Field, string Message)
{
    /// <summary>Turns the problem into the exception the reader throws.</summary>
    public DatasetFormatException ToException(string path) => new(path, Line, Field, Message);

    /// <inheritdoc />
    public override string ToString() => $"line {Line}: {(Field is null ? "" : $"field '{Field}': ")}{Message}";
}
