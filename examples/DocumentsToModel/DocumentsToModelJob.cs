using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using Microsoft.Extensions.AI;
using MLNet.Embeddings;
using MLNet.Embeddings.Training;
using MLNet.Embeddings.Training.Batch;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Data.Generation;
using MLNet.Embeddings.Training.Data.Mining;
using MLNet.Embeddings.Training.Evaluation;
using MLNet.Embeddings.Training.Losses;
using OpenAI;

namespace DocumentsToModelExample;

/// <summary>
/// From documents only to a tuned model: passages → queries written by a chat model (filtered) → one BM25 hard
/// negative per row → train/val/test split (rows of one passage stay together) → fine-tune with the multiple negatives
/// ranking loss → retrieval metrics on the held-out test split before and after.
/// </summary>
public static class DocumentsToModelJob
{
    /// <summary>../shared/data beside the repository.</summary>
    public static string DataRoot { get; } = Path.GetFullPath(Path.Combine(FindRepoRoot(), "..", "shared", "data"));
    /// <summary>The GloVe file of ../shared/data.</summary>
    public static string DefaultGlove { get; } = Path.Combine(DataRoot, "glove", "glove.6B.100d.top50k.txt");
    /// <summary>Financial-QA-10k.csv of ../shared/data.</summary>
    public static string FinancialQa { get; } = Path.Combine(DataRoot, "financial-qa-10k", "Financial-QA-10k.csv");

    /// <summary>The official OpenAI client (Microsoft.Extensions.AI.OpenAI) for an OpenAI-compatible endpoint, with
    /// retries, backoff and Retry-After handled by <see cref="ChatRetryHandler"/>.</summary>
    public static IChatClient ChatClient(string endpoint, string model, string? apiKey, ChatRetryOptions? retry = null)
    {
        retry ??= new ChatRetryOptions();
        var http = new HttpClient(new ChatRetryHandler(retry)) { Timeout = Timeout.InfiniteTimeSpan };
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(endpoint),
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),     // the handler retries
            NetworkTimeout = (retry.Timeout + retry.MaxDelay) * (retry.MaxRetries + 1),
        };
        return new OpenAI.Chat.ChatClient(model, new ApiKeyCredential(apiKey ?? "none"), options).AsIChatClient();
    }

    /// <summary>Runs the chain; progress lines go to <paramref name="log"/>.</summary>
    public static async Task<DocumentsToModelResult> RunAsync(DocumentsToModelOptions o, TextWriter log, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(o.OutDir);
        string passages = Path.Combine(o.OutDir, "passages.jsonl");
        var texts = BatchInput.Read(o.Passages ?? FinancialQa, o.Passages is null ? "context" : null)
            .Select(r => r.Text.Trim()).Where(t => t.Length > 0).Distinct().Take(o.Limit).ToList();
        File.WriteAllLines(passages, texts.Select(t => JsonSerializer.Serialize(new { text = t })));
        log.WriteLine($"passages: {texts.Count}");

        // 1. Queries from a chat model, filtered (parse failures, refusals, length, language, duplicates, round trip).
        string generated = Path.Combine(o.OutDir, "generated.jsonl");
        string? key = o.ApiKeyEnv is null ? null : Environment.GetEnvironmentVariable(o.ApiKeyEnv);
        using var chat = ChatClient(o.Endpoint, o.LlmModel, key);
        var generation = await DataGenerator.RunAsync(chat, new GenerationOptions
        {
            Input = passages, Output = generated, Model = o.LlmModel, PerItem = o.PerItem, Seed = o.Seed,
        }, cancellationToken: cancellationToken);
        log.WriteLine($"generate: {generation.Rows} rows from {generation.Requests} requests; dropped " +
            string.Join(", ", generation.Dropped.Select(d => $"{d.Key} {d.Value}")));

        // 2. One BM25 hard negative per row.
        string mined = Path.Combine(o.OutDir, "mined.jsonl");
        var mining = HardNegativeMiner.Mine(generated, mined, new MiningOptions { NumNegatives = 1, RangeMin = 2, RangeMax = 50 });
        log.WriteLine($"mine: {mining.Rows} rows, {mining.RowsWithAllNegatives} with a negative");

        // 3. Split 80/10/10; rows of one passage stay in one split.
        string splitDir = Path.Combine(o.OutDir, "splits");
        var split = DatasetSplitter.Split(mined, splitDir, new SplitOptions { Seed = o.Seed });
        log.WriteLine($"split: train {split.Rows[0]}, val {split.Rows[1]}, test {split.Rows[2]}");

        // 4. Fine-tune, 5. evaluate on the test split before and after.
        var model = SentenceEncoder.Load(o.Model);
        var test = InformationRetrievalEvaluator.FromExamples(TrainingDataReader.Read(Path.Combine(splitDir, "test.jsonl")));
        var before = test.Evaluate(model, cancellationToken);
        var train = TrainingDataReader.Read(Path.Combine(splitDir, "train.jsonl")).Where(r => r.Neg.Count >= 1).ToList();
        bool wordVectors = File.Exists(o.Model);
        string modelDir = Path.Combine(o.OutDir, "model");
        new SentenceEncoderTrainer(model, new MultipleNegativesRankingLoss(), new TrainerOptions
        {
            Epochs = o.Epochs, BatchSize = wordVectors ? 64 : 32, LearningRate = wordVectors ? 5e-2f : 2e-5f, WeightDecay = wordVectors ? 0 : 0.01f,
            SparseUpdates = wordVectors, NegativesPerRow = 1, NoDuplicates = true, Seed = o.Seed, OutputDirectory = modelDir,
        }).Fit(train);
        var after = test.Evaluate(model, cancellationToken);
        log.WriteLine($"eval: test ndcg@10 {before["ndcg@10"]:F4} before, {after["ndcg@10"]:F4} after ({test.QueryCount} queries, {test.CorpusCount} passages)");
        return new DocumentsToModelResult
        {
            Generation = generation, MinedRows = mining.Rows, SplitRows = split.Rows, TrainRows = train.Count, Before = before, After = after, ModelDir = modelDir,
        };
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MLNet.Embeddings.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
