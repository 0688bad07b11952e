using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Embeddings;
using EmbeddingGenerationOptions = Microsoft.Extensions.AI.EmbeddingGenerationOptions;

namespace MLNet.Embeddings.Remote;

/// <summary>
/// An embedding model behind an OpenAI-compatible API (<c>POST /v1/embeddings</c>), called through the official OpenAI
/// .NET client and Microsoft.Extensions.AI. Inputs are split into requests of at most
/// <see cref="RemoteEmbeddingOptions.MaxBatchSize"/> texts, at most <see cref="RemoteEmbeddingOptions.MaxConcurrency"/>
/// in flight, answers put back in input order. Each request has a timeout and is retried with backoff on 429/5xx
/// (honouring Retry-After); <see cref="Usage"/> counts requests, retries and tokens. Use it wherever a model only embeds:
/// <c>EmbeddingFunctions.FromGenerator</c>, the evaluators, the miner, the batch embedder.
/// </summary>
/// <example>
/// <code>
/// using var model = RemoteEmbeddingGenerator.Create(new RemoteEmbeddingOptions
/// {
///     Model = "text-embedding-3-small",
///     ApiKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY"),
/// });
/// var vectors = await model.GenerateAsync(["first text", "second text"]);
/// Console.WriteLine(model.Usage);
/// </code>
/// </example>
public sealed class RemoteEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    readonly IEmbeddingGenerator<string, Embedding<float>> _inner;
    readonly SemaphoreSlim _gate;
    readonly IDisposable? _owned;
    readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Batches, limits and translates errors around <paramref name="inner"/> (which does its own HTTP).</summary>
    public RemoteEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, RemoteEmbeddingOptions options)
        : this(inner, options, new RemoteUsage(), null) { }

    RemoteEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, RemoteEmbeddingOptions options, RemoteUsage usage, IDisposable? owned)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        Usage = usage;
        _owned = owned;
        _gate = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        _metadata = new EmbeddingGeneratorMetadata("openai", options.Endpoint, options.Model);
    }

    /// <summary>
    /// A generator for <see cref="RemoteEmbeddingOptions.Model"/> at <see cref="RemoteEmbeddingOptions.Endpoint"/>: the
    /// OpenAI client over an <see cref="HttpClient"/> whose handler applies the timeout and the retries.
    /// </summary>
    /// <param name="options">Where and how.</param>
    /// <param name="handler">The innermost HTTP handler (a proxy, a test server's); null uses a new <see cref="SocketsHttpHandler"/>.</param>
    public static RemoteEmbeddingGenerator Create(RemoteEmbeddingOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var usage = new RemoteUsage();
        var http = new HttpClient(new RetryHandler(options, usage, handler ?? new SocketsHttpHandler()), disposeHandler: true)
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan, // each attempt has its own (RetryHandler)
        };
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = options.Endpoint,
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(0), // RetryHandler retries, and counts
            NetworkTimeout = TimeSpan.FromDays(1),
        };
        string key = options.ResolveKey() ?? "none";
        var client = new EmbeddingClient(options.Model, new ApiKeyCredential(key), clientOptions);
        return new RemoteEmbeddingGenerator(client.AsIEmbeddingGenerator(), options, usage, http);
    }

    /// <summary>The settings this generator runs with.</summary>
    public RemoteEmbeddingOptions Options { get; }

    /// <summary>Requests, retries and tokens so far.</summary>
    public RemoteUsage Usage { get; }

    /// <inheritdoc/>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values as IReadOnlyList<string> ?? values.ToList();
        var result = new Embedding<float>[texts.Count];
        var tasks = new List<Task<long?>>();
        for (int from = 0; from < texts.Count; from += Options.MaxBatchSize)
        {
            int start = from, count = Math.Min(Options.MaxBatchSize, texts.Count - from);
            tasks.Add(Batch(texts, start, count, result, options, cancellationToken));
        }
        var tokens = await Task.WhenAll(tasks).ConfigureAwait(false);
        long? total = tokens.All(t => t is null) ? null : tokens.Sum(t => t ?? 0);
        return new GeneratedEmbeddings<Embedding<float>>(result) { Usage = new UsageDetails { InputTokenCount = total, TotalTokenCount = total } };
    }

    async Task<long?> Batch(IReadOnlyList<string> texts, int start, int count, Embedding<float>[] result, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        var batch = new string[count];
        for (int i = 0; i < count; i++) batch[i] = texts[start + i];
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            GeneratedEmbeddings<Embedding<float>> answer;
            try { answer = await _inner.GenerateAsync(batch, options, cancellationToken).ConfigureAwait(false); }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw Translate(ex);
            }
            if (answer.Count != count)
                throw new RemoteEmbeddingException($"{Where} answered {answer.Count} vectors for {count} texts.");
            for (int i = 0; i < count; i++) result[start + i] = answer[i];
            long? tokens = answer.Usage?.InputTokenCount;
            Usage.AddTexts(count, tokens);
            return tokens;
        }
        finally { _gate.Release(); }
    }

    string Where => $"{Options.Endpoint} (model {Options.Model})";

    /// <summary>One clear error for whatever the client threw.</summary>
    Exception Translate(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
            if (e is RemoteEmbeddingException remote) return remote;
        if (ex is ClientResultException result)
        {
            string body = result.GetRawResponse() is { } raw ? RetryHandler.OneLine(raw.Content.ToString()) : "";
            return result.Status switch
            {
                401 or 403 => new RemoteEmbeddingException(
                    $"{Where} refused the API key ({result.Status}): check the key in {Options.KeySource ?? "the ApiKey option"}. {body}".TrimEnd(), result.Status, ex),
                404 => new RemoteEmbeddingException($"{Where} answered 404: no such model or endpoint (the endpoint ends in /v1). {body}".TrimEnd(), 404, ex),
                _ => new RemoteEmbeddingException($"{Where} answered {result.Status}: {body}", result.Status, ex),
            };
        }
        if (ex is OperationCanceledException) // a timeout inside the client
            return new RemoteEmbeddingException($"{Where}: no reply within the timeout of {Options.Timeout.TotalSeconds} s.", null, ex);
        return new RemoteEmbeddingException($"{Where}: {RetryHandler.OneLine(ex.Message)}", null, ex);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return _inner.GetService(serviceType, serviceKey);
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        if (serviceType.IsInstanceOfType(this)) return this;
        return _inner.GetService(serviceType, serviceKey);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _inner.Dispose();
        _owned?.Dispose();
        _gate.Dispose();
    }
}
