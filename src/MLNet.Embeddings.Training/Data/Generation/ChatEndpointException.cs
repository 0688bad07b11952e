namespace MLNet.Embeddings.Training.Data.Generation;

/// <summary>Thrown by <see cref="ChatRetryHandler"/> when the endpoint cannot serve any request (wrong URL, key or
/// model); <see cref="DataGenerator"/> stops at once instead of counting every row as failed.</summary>
public sealed class ChatEndpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChatEndpointException(ChatEndpointProblem problem, string message, Exception? inner = null) : base(message, inner) => Problem = problem;

    /// <summary>What is wrong.</summary>
    public ChatEndpointProblem Problem { get; }
}
