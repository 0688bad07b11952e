namespace MLNet.Embeddings.Training.Data.Generation;

/// <summary>Why a chat endpoint cannot be used at all (as opposed to one failed request).</summary>
public enum ChatEndpointProblem
{
    /// <summary>No server answers at the URL, or it has no chat-completions API there (HTTP 404 without a model error).</summary>
    Unreachable,
    /// <summary>The server refused the key (HTTP 401 or 403).</summary>
    Unauthorized,
    /// <summary>The server does not know the model (HTTP 404 naming the model, or 400 "model not found").</summary>
    UnknownModel,
}
