using System.CommandLine;
using System.Globalization;
using MLNet.Embeddings.Training.Evaluation;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>mlnet-embed eval --model DIR --data FILE [--baseline DIR] [--k 1,3,5,10] [--output FILE]</c>: evaluates a model on a
/// JSONL test file (the evaluator is chosen from the rows' fields) and prints the metrics as one JSON object whose keys
/// are the metric names; with --baseline, <c>{"baseline": {...}, "model": {...}}</c> plus a Markdown table.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder (or word-vector file, or openai:MODEL, a remote API: see --endpoint) to evaluate (not with --reranker)." };
        var data = new Option<string>("--data") { Description = "JSONL test file: query+pos (retrieval), sentence1/sentence2/score, sentence1/sentence2/label, or anchor/positive/negative; or a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv).", Required = true };
        var baseline = new Option<string?>("--baseline") { Description = "A second model to compare against (before/after report); openai:MODEL for a remote API." };
        var ks = new Option<string>("--k") { Description = "Cut-offs for the retrieval metrics, comma-separated.", DefaultValueFactory = _ => "1,3,5,10" };
        var output = new Option<string?>("--output") { Description = "Write the JSON here (atomically) instead of stdout; with --baseline the Markdown table goes to the same path with extension .md." };
        var queryPrompt = new Option<string?>("--query-prompt-name") { Description = "Prompt name (from the model's config) for retrieval queries." };
        var command = new Command("eval", "Evaluate a model on a test file (retrieval, STS, pair classification or triplets).");
        foreach (var o in new Option[] { model, data, baseline, ks, output, queryPrompt }) command.Options.Add(o);
        var remote = RemoteArguments.Create();
        remote.AddTo(command);
        var rerank = RerankEval.AddOptions(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            if (rerank.Given(parseResult)) return Task.FromResult(rerank.Run(parseResult, parseResult.GetValue(data)!, parseResult.GetValue(output), cancellationToken));
            if (parseResult.GetValue(model) is null) throw new ConfigurationException("--model", "is required (or --reranker with --retriever for a two-stage evaluation).");
            string dataPath = parseResult.GetValue(data)!, modelPath = parseResult.GetValue(model)!;
            string? baselinePath = parseResult.GetValue(baseline), outputPath = parseResult.GetValue(output);
            bool beir = BeirFolder.IsBeir(dataPath);
            if (!beir) InputFile.Require(dataPath, "--data");
            if (!Remote.RemoteModels.IsRemote(modelPath)) modelPath = ModelArgument.Resolve(modelPath, "--model");
            if (baselinePath is not null && !Remote.RemoteModels.IsRemote(baselinePath)) baselinePath = ModelArgument.Resolve(baselinePath, "--baseline");
            var retrieval = new InformationRetrievalEvaluatorOptions
            {
                Ks = ParseKs(parseResult.GetValue(ks)!),
                QueryPromptName = parseResult.GetValue(queryPrompt),
            };
            var evaluator = beir ? BeirFolder.Load(dataPath, options: retrieval) : EvaluatorFactory.FromFile(dataPath, retrieval);
            Console.Error.WriteLine($"eval: {evaluator.GetType().Name} on {dataPath} (primary metric {evaluator.PrimaryMetric})");

            string json;
            string? markdown = null;
            Console.Error.WriteLine($"eval: loading {modelPath}");
            var metrics = Evaluate(evaluator, remote, parseResult, modelPath, "--model", "model", cancellationToken);
            string primary = evaluator.PrimaryMetric;
            string Show(IReadOnlyDictionary<string, double> m) => m.TryGetValue(primary, out double v) ? v.ToString("F4", CultureInfo.InvariantCulture) : "n/a";
            if (baselinePath is null)
            {
                json = MetricsJson.Serialize(metrics);
                Console.Error.WriteLine($"eval: {primary} {Show(metrics)} (primary metric; {metrics.Count} metrics in the JSON)");
            }
            else
            {
                Console.Error.WriteLine($"eval: loading baseline {baselinePath}");
                var before = Evaluate(evaluator, remote, parseResult, baselinePath, "--baseline", "baseline", cancellationToken);
                double delta = metrics.GetValueOrDefault(primary) - before.GetValueOrDefault(primary);
                Console.Error.WriteLine($"eval: {primary} {Show(before)} (baseline) → {Show(metrics)} (model), {delta.ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture)}");
                var report = new ComparisonReport(before, metrics, evaluator.PrimaryMetric);
                json = report.ToJson();
                markdown = report.ToMarkdown();
            }

            if (outputPath is null)
            {
                Console.Out.WriteLine(json);
                if (markdown is not null) Console.Error.Write(markdown);
            }
            else
            {
                EvaluationOutput.WriteAtomic(outputPath, json + "\n");
                Console.Error.WriteLine($"eval: wrote {outputPath}");
                if (markdown is not null)
                {
                    var mdPath = EvaluationOutput.MarkdownPath(outputPath);
                    if (Path.GetFullPath(mdPath) == Path.GetFullPath(outputPath))
                        throw new ConfigurationException("--output", $"'{outputPath}' already ends in .md; give the JSON file another extension (e.g. .json).");
                    EvaluationOutput.WriteAtomic(mdPath, markdown);
                    Console.Error.WriteLine($"eval: wrote {mdPath}");
                }
            }
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>Metrics of a local model (with its truncation count) or of openai:MODEL (with its usage).</summary>
    static IReadOnlyDictionary<string, double> Evaluate(IEmbeddingEvaluator evaluator, RemoteArguments remote, ParseResult parseResult, string name, string flag,
        string label, CancellationToken cancellationToken)
    {
        using var generator = remote.Open(parseResult, name, flag);
        if (generator is not null)
        {
            if (parseResult.GetValue<string?>("--query-prompt-name") is not null)
                throw new ConfigurationException("--query-prompt-name", $"names a prompt of a local model; {name} embeds queries and documents alike.");
            var remoteMetrics = evaluator.Evaluate(generator, cancellationToken);
            RemoteArguments.Report("eval", generator, label);
            return remoteMetrics;
        }
        var encoder = SentenceEncoder.Load(name);
        var truncation = TruncationReport.Start(encoder);
        var metrics = evaluator.Evaluate(encoder, cancellationToken);
        truncation.Print($"eval: {label}");
        return metrics;
    }

    internal static int[] ParseKs(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new ConfigurationException("--k", "expected comma-separated positive integers such as 1,3,5,10, found nothing.");
        return parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k >= 1
            ? k : throw new ConfigurationException("--k", $"expected positive integers such as 1,3,5,10, found '{p}'.")).ToArray();
    }
}
