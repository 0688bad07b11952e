using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Reranking;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>eval --reranker MODEL --retriever MODEL|bm25 [--top-k 50] --data FILE</c>: the retriever takes each query's top K
/// from the corpus (the positives of all rows), the cross-encoder reorders them; prints
/// <c>{"top_k", "before": {...}, "after": {...}}</c> with mrr@10, ndcg@10, map@10, recall@1/10/K.
/// </summary>
internal sealed class RerankEval
{
    readonly Option<string?> _reranker = new("--reranker") { Description = "Cross-encoder folder, or its exported .onnx file (ONNX Runtime): rerank the retriever's top K (with --retriever)." };
    readonly Option<string?> _retriever = new("--retriever") { Description = "With --reranker: an embedding model folder, or bm25." };
    readonly Option<int> _topK = new("--top-k") { Description = "With --reranker: candidates per query from the retriever (default 50).", DefaultValueFactory = _ => 50 };

    public static RerankEval AddOptions(Command command)
    {
        var e = new RerankEval();
        command.Options.Add(e._reranker); command.Options.Add(e._retriever); command.Options.Add(e._topK);
        return e;
    }

    public bool Given(ParseResult r) => r.GetValue(_reranker) is not null;

    public int Run(ParseResult r, string dataPath, string? outputPath, CancellationToken cancellationToken)
    {
        string rerankerPath = r.GetValue(_reranker)!;
        string retrieverName = r.GetValue(_retriever) ?? throw new ConfigurationException("--retriever", "is required with --reranker: an embedding model folder, or bm25.");
        int topK = r.GetValue(_topK);
        if (topK < 1) throw new ConfigurationException("--top-k", $"must be at least 1, found {topK}.");
        var evaluator = new RetrieveRerankEvaluator(TrainingDataReader.Read(InputFile.Require(dataPath, "--data")));
        var retriever = string.Equals(retrieverName, "bm25", StringComparison.OrdinalIgnoreCase)
            ? RetrieveRerankEvaluator.Bm25Retriever()
            : RetrieveRerankEvaluator.DenseRetriever(SentenceEncoder.Load(ModelArgument.Resolve(retrieverName, "--retriever")));
        var reranker = RerankerArgument.Load(rerankerPath, "--reranker");
        using var _ = reranker as IDisposable;
        Console.Error.WriteLine($"eval: {evaluator.QueryCount} queries, {evaluator.CorpusCount} documents; {retrieverName} top {topK}, reranked by {rerankerPath}");
        using var progress = ProgressLine.For(evaluator.QueryCount * Math.Min(topK, evaluator.CorpusCount), "eval: reranking pairs");
        var options = progress is null ? null : new CrossEncoderOptions { Progress = new InlineProgress(progress.Report) };
        var (before, after) = evaluator.Evaluate(retriever, reranker, topK, options, cancellationToken);
        string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);
        Console.Error.WriteLine($"eval: ndcg@10 {F(before["ndcg@10"])} → {F(after["ndcg@10"])}, mrr@10 {F(before["mrr@10"])} → {F(after["mrr@10"])}");
        string json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["top_k"] = topK, ["retriever"] = retrieverName, ["reranker"] = rerankerPath,
            ["before"] = before.ToDictionary(kv => kv.Key, kv => double.IsFinite(kv.Value) ? (double?)kv.Value : null),
            ["after"] = after.ToDictionary(kv => kv.Key, kv => double.IsFinite(kv.Value) ? (double?)kv.Value : null),
        });
        if (outputPath is null) Console.Out.WriteLine(json);
        else { EvaluationOutput.WriteAtomic(outputPath, json + "\n"); Console.Error.WriteLine($"eval: wrote {outputPath}"); }
        return 0;
    }
}
