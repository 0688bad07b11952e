namespace MLNet.Embeddings.Remote;

/// <summary>A remote embedding API failed for good: a refused key, a bad request, or retries spent; the message says which in one line.</summary>
public sealed class RemoteEmbeddingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RemoteEmbeddingException(string message, int? status = null, Exception? inner = null) : base(message, inner) => Status = status;

    /// <summary>The HTTP status of the last answer, or null (timeout, no connection).</summary>
    public int? Status { get; }
}
