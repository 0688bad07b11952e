using System.Text.Json.Serialization;

namespace MLNet.Embeddings.Remote;

/// <summary>Settings of a <see cref="RemoteEmbeddingGenerator"/>: where, which model, and how hard to try.</summary>
public sealed class RemoteEmbeddingOptions
{
    /// <summary>OpenAI's own endpoint, the default of <see cref="Endpoint"/>.</summary>
    public static readonly Uri OpenAIEndpoint = new("https://api.openai.com/v1/");

    /// <summary>The model name the server knows (e.g. text-embedding-3-small, nomic-embed-text).</summary>
    public string Model { get; set; } = "";

    /// <summary>Base URL of an OpenAI-compatible API, up to and including <c>/v1</c> (OpenAI, Azure OpenAI's v1 endpoint,
    /// Ollama, vLLM, TEI, <c>mlnet-embed serve</c>). Default <see cref="OpenAIEndpoint"/>.</summary>
    public Uri Endpoint { get; set; } = OpenAIEndpoint;

    /// <summary>
    /// The API key, sent as <c>Authorization: Bearer KEY</c>; null reads <see cref="ApiKeyVariable"/>, and without a
    /// key there a placeholder is sent (local servers without keys). Never serialised: saved settings keep only the variable's name.
    /// </summary>
    [JsonIgnore]
    public string? ApiKey { get; set; }

    /// <summary>
    /// The environment variable that holds the API key, read when the generator is created and <see cref="ApiKey"/> is
    /// null. Default <c>OPENAI_API_KEY</c>; null reads none.
    /// </summary>
    public string? ApiKeyVariable { get; set; } = "OPENAI_API_KEY";

    /// <summary>Where the key came from, named in the error when the server refuses it (e.g. <c>$OPENAI_API_KEY</c>).</summary>
    public string? ApiKeySource { get; set; }

    /// <summary>Most texts per request; larger inputs are split. Default 256 (OpenAI accepts up to 2,048).</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>Most requests in flight at once. Default 4.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Retries of a request after a 408, 429 or 5xx answer, a timeout or a broken connection. Default 6.</summary>
    public int MaxRetries { get; set; } = 6;

    /// <summary>How long one attempt may take, reply body included. Default 60 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Wait before the first retry when the server sends no Retry-After; doubled each retry (with ±20 % jitter). Default 1 s.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the doubling wait (a Retry-After from the server is honoured as sent). Default 60 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A copy (settings kept by a pipeline stage do not follow later changes to the caller's object).</summary>
    internal RemoteEmbeddingOptions Clone() => (RemoteEmbeddingOptions)MemberwiseClone();

    /// <summary>
    /// The key to send: <see cref="ApiKey"/>, else the value of <see cref="ApiKeyVariable"/>. OpenAI's own endpoint
    /// without a key is an error that names the variable.
    /// </summary>
    internal string? ResolveKey()
    {
        if (!string.IsNullOrEmpty(ApiKey)) return ApiKey;
        string? key = string.IsNullOrEmpty(ApiKeyVariable) ? null : Environment.GetEnvironmentVariable(ApiKeyVariable);
        if (string.IsNullOrEmpty(key) && Endpoint == OpenAIEndpoint)
            throw new ConfigurationException(nameof(ApiKeyVariable), string.IsNullOrEmpty(ApiKeyVariable)
                ? $"{Endpoint} needs an API key: set ApiKey or ApiKeyVariable (or give the Endpoint of a server without keys)."
                : $"the environment variable {ApiKeyVariable} is not set; {Endpoint} needs an API key (or give the Endpoint of a server without keys).");
        return string.IsNullOrEmpty(key) ? null : key;
    }

    /// <summary>Where <see cref="ResolveKey"/> found the key, for error messages.</summary>
    internal string? KeySource => ApiKeySource ?? (string.IsNullOrEmpty(ApiKey) && !string.IsNullOrEmpty(ApiKeyVariable) ? "$" + ApiKeyVariable : null);

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) throw new ConfigurationException(nameof(Model), "name the remote model (openai:MODEL).");
        if (Endpoint is null || !Endpoint.IsAbsoluteUri || Endpoint.Scheme is not ("http" or "https"))
            throw new ConfigurationException(nameof(Endpoint), $"expected an absolute http(s) URL such as https://api.openai.com/v1, found '{Endpoint}'.");
        if (MaxBatchSize < 1) throw new ConfigurationException(nameof(MaxBatchSize), $"must be at least 1, found {MaxBatchSize}.");
        if (MaxConcurrency < 1) throw new ConfigurationException(nameof(MaxConcurrency), $"must be at least 1, found {MaxConcurrency}.");
        if (MaxRetries < 0) throw new ConfigurationException(nameof(MaxRetries), $"must be 0 or more, found {MaxRetries}.");
        if (Timeout <= TimeSpan.Zero) throw new ConfigurationException(nameof(Timeout), $"must be positive, found {Timeout}.");
    }
}
