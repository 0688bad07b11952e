using System.ClientModel;
using System.ClientModel.Primitives;
using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.AI;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Data.Generation;
using OpenAI;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>mlnet-embed data generate</c>: queries, paraphrases or hard negatives written by a chat model behind an
/// OpenAI-compatible endpoint (OpenAI, Azure OpenAI's v1 API, Ollama, vLLM, llama.cpp's server), through
/// Microsoft.Extensions.AI.OpenAI's <see cref="IChatClient"/> over <see cref="ChatRetryHandler"/>; see docs/llm-data.md.
/// </summary>
internal static class GenerateCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var input = new Option<string>("--input") { Description = "Passages (queries: .jsonl with \"text\", .txt, .csv, .tsv, .parquet) or training rows (paraphrases, negatives: JSONL).", Required = true };
        var output = new Option<string>("--output") { Description = "Output JSONL in the training format.", Required = true };
        var endpoint = new Option<string?>("--llm-endpoint") { Description = "OpenAI-compatible base URL, e.g. http://localhost:11434/v1 (Ollama) or https://api.openai.com/v1." };
        var model = new Option<string>("--llm-model") { Description = "Chat model name (Azure OpenAI: the deployment name).", Required = true };
        var keyEnv = new Option<string?>("--llm-api-key-env") { Description = "Environment variable holding the API key (none for local servers)." };
        var task = new Option<GenerationTask>("--task") { Description = "queries (per passage), paraphrases (of each row's query) or negatives (added to each row's neg).", DefaultValueFactory = _ => GenerationTask.Queries };
        var perItem = new Option<int>("--per-item") { Description = "Texts asked for per input row.", DefaultValueFactory = _ => 3 };
        var examples = new Option<string?>("--examples") { Description = "Training rows (JSONL, query + pos) shown to the model as few-shot examples." };
        var template = new Option<string?>("--template") { Description = "Prompt template file overriding the built-in one (docs/llm-data.md)." };
        var textColumn = new Option<string?>("--text-column") { Description = "Field or column holding the passage (queries task; default text)." };
        var temperature = new Option<float?>("--temperature") { Description = "Sampling temperature passed to the model (default 0.7)." };
        var seed = new Option<long?>("--seed") { Description = "Sampling seed passed to the model." };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at most.", DefaultValueFactory = _ => 4 };
        var maxRequests = new Option<int?>("--max-requests") { Description = "Request budget of this run; when spent, the rows so far are committed and --resume continues." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds one try of a request may take.", DefaultValueFactory = _ => 120 };
        var retries = new Option<int>("--retries") { Description = "Retries on 429, 5xx and timeouts (exponential backoff, Retry-After honoured).", DefaultValueFactory = _ => 5 };
        var price = new Option<double?>("--price-per-1k") { Description = "Price per 1,000 tokens, for the cost in the summary." };
        var minChars = new Option<int>("--min-chars") { Description = "Shortest generated text kept.", DefaultValueFactory = _ => 5 };
        var maxChars = new Option<int?>("--max-chars") { Description = "Longest generated text kept (default 300; negatives 4000)." };
        var noLanguage = new Option<bool>("--no-language-check") { Description = "Keep texts in another script than their source." };
        var keepNear = new Option<bool>("--keep-near-duplicates") { Description = "Keep near duplicates (exact duplicates are always dropped)." };
        var roundTrip = new Option<int>("--round-trip-k") { Description = "Queries: keep a query only if its passage ranks within this many (0: off).", DefaultValueFactory = _ => 3 };
        var filterModel = new Option<string?>("--filter-model") { Description = "Embedding model for the round-trip check (default BM25) and the negatives judge (default none)." };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run from its last committed row." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the first three prompts and send nothing." };
        var c = new Command("generate", "Write queries, paraphrases or hard negatives with a chat model (OpenAI-compatible endpoint), filtered, in the training format.");
        foreach (var o in new Option[] { input, output, endpoint, model, keyEnv, task, perItem, examples, template, textColumn, temperature, seed, concurrency, maxRequests, timeout, retries, price, minChars, maxChars, noLanguage, keepNear, roundTrip, filterModel, resume, dryRun })
            c.Options.Add(o);
        c.SetAction(async (pr, cancellationToken) =>
        {
            string inputPath = InputFile.Require(pr.GetValue(input)!, "--input");
            var options = new GenerationOptions
            {
                Input = inputPath, Output = pr.GetValue(output)!, Task = pr.GetValue(task), PerItem = pr.GetValue(perItem), TextColumn = pr.GetValue(textColumn),
                Model = pr.GetValue(model), Seed = pr.GetValue(seed), MaxConcurrency = pr.GetValue(concurrency), MaxRequests = pr.GetValue(maxRequests),
                PricePer1KTokens = pr.GetValue(price), MinChars = pr.GetValue(minChars), MaxChars = pr.GetValue(maxChars), CheckLanguage = !pr.GetValue(noLanguage),
                DropNearDuplicates = !pr.GetValue(keepNear), RoundTripTopK = pr.GetValue(roundTrip), Resume = pr.GetValue(resume),
            };
            if (pr.GetValue(temperature) is { } t) options.Temperature = t;
            if (pr.GetValue(template) is { } tp) options.Template = PromptTemplate.Load(InputFile.Require(tp, "--template"));
            if (pr.GetValue(examples) is { } ex) options.Examples = TrainingDataReader.Read(InputFile.Require(ex, "--examples")).ToList();
            if (pr.GetValue(filterModel) is { } fm)
            {
                var encoder = SentenceEncoder.Load(ModelArgument.Resolve(fm, "--filter-model"));
                options.RoundTripEncoder = encoder;
                options.Judge = new EncoderJudge(encoder);
            }
            if (pr.GetValue(dryRun))
            {
                var prompts = DataGenerator.Prompts(options);
                for (int i = 0; i < prompts.Count; i++) Console.Out.WriteLine($"--- prompt {i + 1} of the first {prompts.Count} ---\n{prompts[i]}\n");
                Console.Error.WriteLine($"generate: dry run, nothing sent (template {options.EffectiveTemplate.Id}).");
                return 0;
            }
            string url = pr.GetValue(endpoint) ?? throw new ConfigurationException("--llm-endpoint", "required (an OpenAI-compatible base URL such as http://localhost:11434/v1), unless --dry-run.");
            var retry = new ChatRetryOptions { Timeout = TimeSpan.FromSeconds(pr.GetValue(timeout)), MaxRetries = pr.GetValue(retries) };
            if (retry.Timeout <= TimeSpan.Zero) throw new ConfigurationException("--timeout", $"expected seconds > 0, found {pr.GetValue(timeout)}.");
            if (retry.MaxRetries < 0) throw new ConfigurationException("--retries", $"expected 0 or more, found {retry.MaxRetries}.");
            using var chat = CreateClient(url, pr.GetValue(model)!, ApiKey(pr.GetValue(keyEnv)), retry, out var handler);
            handler.Retrying += (n, wait, reason) => Console.Error.WriteLine($"generate: {reason}, retry {n} in {wait.TotalSeconds:0.##} s");
            var line = StatusLine.ForStderr();
            var progress = new Progress<long>(n => line.Update($"generate: {n:N0} rows done"));
            GenerationSummary summary;
            try { summary = await DataGenerator.RunAsync(chat, options, progress, cancellationToken); }
            catch (ChatEndpointException e)
            {
                string option = e.Problem switch
                {
                    ChatEndpointProblem.Unauthorized => "--llm-api-key-env",
                    ChatEndpointProblem.UnknownModel => "--llm-model",
                    _ => "--llm-endpoint",
                };
                throw new ConfigurationException(option, e.Message);
            }
            finally { line.End(); }
            Console.Out.WriteLine(JsonSerializer.Serialize(summary, Json));
            Console.Error.WriteLine(Describe(summary));
            return 0;
        });
        return c;
    }

    /// <summary>The official OpenAI client (Microsoft.Extensions.AI.OpenAI) for <paramref name="model"/> at <paramref name="url"/>,
    /// sending through <see cref="ChatRetryHandler"/> (the client's own retries are off, so the handler's apply once).</summary>
    internal static IChatClient CreateClient(string url, string model, string apiKey, ChatRetryOptions retry, out ChatRetryHandler handler)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ConfigurationException("--llm-endpoint", $"expected an absolute http(s) URL such as http://localhost:11434/v1, found '{url}'.");
        handler = new ChatRetryHandler(retry);
        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = uri,
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = (retry.Timeout + retry.MaxDelay) * (retry.MaxRetries + 1) + TimeSpan.FromMinutes(1),
        };
        return new OpenAI.Chat.ChatClient(model, new ApiKeyCredential(apiKey), clientOptions).AsIChatClient();
    }

    private static string ApiKey(string? variable)
    {
        if (variable is null) return "none"; // local servers (Ollama, vLLM, llama.cpp) ignore the key, the client needs one
        string? key = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(key)) throw new ConfigurationException("--llm-api-key-env", $"the environment variable {variable} is not set.");
        return key;
    }

    private static string Describe(GenerationSummary s)
    {
        var inv = CultureInfo.InvariantCulture;
        string dropped = s.Dropped.Count == 0 ? "none" : string.Join(", ", s.Dropped.Select(kv => $"{kv.Key} {kv.Value:N0}"));
        string cost = s.Cost is { } c ? string.Create(inv, $", cost {c:0.####}") : "";
        string end = s.BudgetReached ? $"; request budget spent: rows so far in {s.Output}, run again with --resume to continue" : $"; wrote {s.Output}";
        return string.Create(inv, $"generate: {s.Items:N0} rows read ({s.ResumedItems:N0} by an earlier run), {s.Requests:N0} requests ({s.FailedRequests:N0} failed), {s.Generated:N0} texts generated, {s.Kept:N0} kept, {s.Rows:N0} rows written; dropped: {dropped}; tokens {s.InputTokens:N0} in + {s.OutputTokens:N0} out{cost}{end}");
    }
}
