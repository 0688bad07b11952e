namespace MLNet.Embeddings;

/// <summary>A model folder or file is missing, malformed or unsupported. Names the file and, where known, the tensor or field.</summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelFormatException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner) { Path = path; }
    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }
}
