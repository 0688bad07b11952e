namespace MLNet.Embeddings.Training.Data.Generation;

/// <summary>Retry and timeout settings of <see cref="ChatRetryHandler"/>.</summary>
public sealed class ChatRetryOptions
{
    /// <summary>Retries after the first try (on 408, 429, 500, 502, 503, 504 and timeouts). Default 5.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>Wait before the first retry; doubles each retry (with ±20 % jitter). Default 1 s.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between tries, also for a server's Retry-After. Default 60 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time one try may take before it is abandoned (and retried). Default 120 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(120);
}
