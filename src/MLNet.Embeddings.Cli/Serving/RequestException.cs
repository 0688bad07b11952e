namespace MLNet.Embeddings.Cli.Serving;

/// <summary>A request the service answers with <see cref="Status"/> (4xx) and the message, which names the field at fault.</summary>
internal sealed class RequestException(int status, string message) : Exception(message)
{
    /// <summary>The HTTP status of the answer.</summary>
    public int Status { get; } = status;
}
