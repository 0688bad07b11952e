using System.CommandLine;
using MLNet.Embeddings.Remote;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>--endpoint URL</c>, <c>--api-key-env VAR</c> and the request limits for commands that take <c>openai:MODEL</c>
/// wherever a model only embeds (embed, similarity, eval and its --baseline, data mine). Training such a model is refused.
/// </summary>
internal sealed class RemoteArguments
{
    public required Option<string?> Endpoint { get; init; }
    public required Option<string> ApiKeyEnv { get; init; }
    public required Option<int> MaxInputs { get; init; }
    public required Option<int> Concurrency { get; init; }
    public required Option<int> Retries { get; init; }
    public required Option<double> Timeout { get; init; }

    public static RemoteArguments Create() => new()
    {
        Endpoint = new Option<string?>("--endpoint") { Description = "With openai:MODEL: the OpenAI-compatible API's base URL, up to /v1 (default https://api.openai.com/v1; Ollama, vLLM, TEI, mlnet-embed serve …)." },
        ApiKeyEnv = new Option<string>("--api-key-env") { Description = "With openai:MODEL: the environment variable holding the API key.", DefaultValueFactory = _ => "OPENAI_API_KEY" },
        MaxInputs = new Option<int>("--remote-max-inputs") { Description = "With openai:MODEL: most texts per request.", DefaultValueFactory = _ => 256 },
        Concurrency = new Option<int>("--remote-concurrency") { Description = "With openai:MODEL: most requests in flight.", DefaultValueFactory = _ => 4 },
        Retries = new Option<int>("--remote-retries") { Description = "With openai:MODEL: retries of a request after 429, 5xx or a timeout (backoff, Retry-After honoured).", DefaultValueFactory = _ => 6 },
        Timeout = new Option<double>("--remote-timeout") { Description = "With openai:MODEL: seconds one request may take.", DefaultValueFactory = _ => 60 },
    };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Endpoint, ApiKeyEnv, MaxInputs, Concurrency, Retries, Timeout }) command.Options.Add(o);
    }

    /// <summary>The remote model <paramref name="name"/> names, or null for a local model.</summary>
    public RemoteEmbeddingGenerator? Open(ParseResult parse, string? name, string flag)
    {
        if (!RemoteModels.IsRemote(name)) return null;
        string model;
        try { model = RemoteModels.ModelOf(name!); }
        catch (ConfigurationException ex) { throw new ConfigurationException(flag, ex.Message[(ex.Setting.Length + 2)..]); }
        string? endpointText = parse.GetValue(Endpoint);
        Uri endpoint = RemoteEmbeddingOptions.OpenAIEndpoint;
        if (endpointText is not null && !Uri.TryCreate(endpointText, UriKind.Absolute, out endpoint!))
            throw new ConfigurationException("--endpoint", $"expected an absolute http(s) URL such as http://localhost:11434/v1, found '{endpointText}'.");
        string variable = parse.GetValue(ApiKeyEnv)!;
        string? key = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(key) && endpoint == RemoteEmbeddingOptions.OpenAIEndpoint)
            throw new ConfigurationException("--api-key-env", $"the environment variable {variable} is not set; {endpoint} needs an API key (or give --endpoint for a server without keys).");
        double seconds = parse.GetValue(Timeout);
        if (!(seconds > 0)) throw new ConfigurationException("--remote-timeout", $"must be a positive number of seconds, found {seconds}.");
        var options = new RemoteEmbeddingOptions
        {
            Model = model, Endpoint = endpoint, ApiKey = key, ApiKeyVariable = variable, ApiKeySource = $"${variable} (--api-key-env)",
            MaxBatchSize = parse.GetValue(MaxInputs), MaxConcurrency = parse.GetValue(Concurrency), MaxRetries = parse.GetValue(Retries),
            Timeout = TimeSpan.FromSeconds(seconds),
        };
        if (options.MaxBatchSize < 1) throw new ConfigurationException("--remote-max-inputs", $"must be at least 1, found {options.MaxBatchSize}.");
        if (options.MaxConcurrency < 1) throw new ConfigurationException("--remote-concurrency", $"must be at least 1, found {options.MaxConcurrency}.");
        if (options.MaxRetries < 0) throw new ConfigurationException("--remote-retries", $"must be 0 or more, found {options.MaxRetries}.");
        Console.Error.WriteLine($"remote model {model} at {endpoint}");
        return RemoteEmbeddingGenerator.Create(options);
    }

    /// <summary>The usage line of the command's summary.</summary>
    public static void Report(string command, RemoteEmbeddingGenerator? generator, string? label = null)
    {
        if (generator is not null) Console.Error.WriteLine($"{command}: remote {label ?? generator.Options.Model}: {generator.Usage}");
    }

    /// <summary>The error for a command that trains: a remote model only embeds.</summary>
    public static void RefuseTraining(string? name, string flag)
    {
        if (RemoteModels.IsRemote(name))
            throw new ConfigurationException(flag, $"'{name}' is a remote embedding API: it can embed (embed, similarity, eval, data mine) but not be trained; give a local model folder or a model name to fine-tune.");
    }
}
