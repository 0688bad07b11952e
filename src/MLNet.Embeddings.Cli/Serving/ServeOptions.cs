using MLNet.Embeddings.Quantization;
using Microsoft.Extensions.Logging;

namespace MLNet.Embeddings.Cli.Serving;

/// <summary>Settings of <see cref="EmbeddingServer"/>: access, per-request limits, int8/uint8 ranges and logging.</summary>
internal sealed record ServeOptions
{
    /// <summary>Default <see cref="MaxInputs"/> (OpenAI's limit).</summary>
    public const int DefaultMaxInputs = 2048;

    /// <summary>Default <see cref="MaxTokensPerRequest"/> (OpenAI's limit).</summary>
    public const int DefaultMaxTokensPerRequest = 300_000;

    /// <summary>When set, <c>/v1/*</c> and <c>/rerank</c> require <c>Authorization: Bearer KEY</c>; <c>/health</c> and <c>/metrics</c> stay open.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Most texts in one request; more get 413.</summary>
    public int MaxInputs { get; init; } = DefaultMaxInputs;

    /// <summary>Most tokens (after truncation to the model's maximum length) in one request; more get 413.</summary>
    public int MaxTokensPerRequest { get; init; } = DefaultMaxTokensPerRequest;

    /// <summary>Default <see cref="MaxDocuments"/> (Cohere's limit).</summary>
    public const int DefaultMaxDocuments = 1000;

    /// <summary>Most documents in one rerank request; more get 413. Rerank requests share <see cref="MaxTokensPerRequest"/> (tokens of all pairs).</summary>
    public int MaxDocuments { get; init; } = DefaultMaxDocuments;

    /// <summary>Default <see cref="MaxRequestBytes"/> (16 MiB).</summary>
    public const long DefaultMaxRequestBytes = 16 << 20;

    /// <summary>Largest request body in bytes; larger bodies get 413.</summary>
    public long MaxRequestBytes { get; init; } = DefaultMaxRequestBytes;

    /// <summary>Calibration ranges for <c>"precision": "int8" | "uint8"</c> (the file <c>embed --calibration</c> writes).</summary>
    public QuantizationRanges? Ranges { get; init; }

    /// <summary>Minimum level of the ASP.NET request logs, all written to stderr; <see cref="LogLevel.None"/> silences them.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Warning;
}
