using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML;
using MLNet.Embeddings.OnnxRuntime.Import;

namespace ModelBuilderExample;

/// <summary>Settings of one run of the example (see Program.cs for the command line).</summary>
public sealed class ExperimentOptions
{
    /// <summary>Financial-QA-10k.csv.</summary>
    public string CsvPath { get; set; } = Path.Combine(Experiment.DataRoot, "financial-qa-10k", "Financial-QA-10k.csv");
    /// <summary>GloVe file, sentence-transformers folder, or "minilm" (all-MiniLM-L6-v2 from the NuGet cache).</summary>
    public string Model { get; set; } = Experiment.DefaultGlove;
    /// <summary>Where the zips and results.json go.</summary>
    public string OutputDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "model-builder-tickers");
    /// <summary>Share of each ticker's rows held out for the test.</summary>
    public double TestFraction { get; set; } = 0.2;
    /// <summary>Tickers with fewer usable rows are dropped.</summary>
    public int MinRowsPerTicker { get; set; } = 20;
    /// <summary>Keep only the N tickers with the most rows (null: all).</summary>
    public int? Tickers { get; set; }
    /// <summary>Rows kept per ticker before the split (null: all).</summary>
    public int? RowsPerTicker { get; set; }
    /// <summary>Seed of the split and of the training.</summary>
    public int Seed { get; set; } = 42;
    /// <summary>Fine-tuning settings of variant (b); EmbeddingModelPath and FineTune are set by the run.</summary>
    public TickerModel.PipelineSettings FineTune { get; set; } = new();
    /// <summary>Run variant (b) (fine-tuning) too.</summary>
    public bool RunFineTune { get; set; } = true;
    /// <summary>
    /// End-to-end settings of variants (c) and (d) (TextClassifier; transformer models only): epochs, batch size,
    /// learning rate, max length; (d) sets EmbeddingLearningRate to LearningRate / 10. EmbeddingModelPath and EndToEnd are set by the run.
    /// </summary>
    public TickerModel.PipelineSettings EndToEnd { get; set; } = new() { Epochs = 3, BatchSize = 16, LearningRate = 1e-4f };
    /// <summary>Run variants (c) and (d) (end-to-end TextClassifier, the second with a 10× smaller embedding-layer rate).</summary>
    public bool RunEndToEnd { get; set; }
}

/// <summary>Held-out metrics of one pipeline.</summary>
/// <param name="Name">The variant.</param>
/// <param name="Accuracy">Micro accuracy on the held-out rows.</param>
/// <param name="MacroF1">Mean over tickers of F1 = 2TP / (2TP + FP + FN), from the confusion matrix.</param>
/// <param name="MacroAccuracy">ML.NET's MacroAccuracy (mean per-class recall).</param>
/// <param name="LogLoss">ML.NET's log-loss.</param>
/// <param name="FitCpuSeconds">CPU seconds of the process during Fit (all threads).</param>
/// <param name="FitWallSeconds">Wall seconds of Fit.</param>
/// <param name="ZipPath">The saved model.</param>
public sealed record VariantResult(string Name, double Accuracy, double MacroF1, double MacroAccuracy, double LogLoss, double FitCpuSeconds, double FitWallSeconds, string ZipPath);

/// <summary>The outcome of a run: the data split and one result per variant.</summary>
public sealed record ExperimentResult(string ModelName, int TrainRows, int TestRows, IReadOnlyList<string> Classes, double MajorityShare,
    IReadOnlyList<TickerModel.ModelInput> TestSet, IReadOnlyList<VariantResult> Variants)
{
    /// <summary>The Markdown table of the variants.</summary>
    public string ToMarkdown()
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{ModelName}: {Classes.Count} tickers, {TrainRows} train / {TestRows} held-out questions, majority class {MajorityShare:P1}");
        sb.AppendLine();
        sb.AppendLine("| pipeline | accuracy | macro-F1 | ML.NET MacroAccuracy | log-loss | Fit CPU-s | Fit wall s |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var v in Variants)
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {v.Name} | {v.Accuracy:F4} | {v.MacroF1:F4} | {v.MacroAccuracy:F4} | {v.LogLoss:F3} | {v.FitCpuSeconds:F0} | {v.FitWallSeconds:F0} |");
        return sb.ToString();
    }
}

/// <summary>
/// Splits the data, fits (a) ApplyEmbedding → SdcaMaximumEntropy, (b) FineTuneEmbedding → SdcaMaximumEntropy and, on a
/// transformer, (c)/(d) the end-to-end TextClassifier; evaluates, saves.
/// </summary>
public static class Experiment
{
    /// <summary>../shared/data beside the repository.</summary>
    public static string DataRoot { get; } = Path.GetFullPath(Path.Combine(FindRepoRoot(), "..", "shared", "data"));
    /// <summary>The GloVe file of ../shared/data.</summary>
    public static string DefaultGlove { get; } = Path.Combine(DataRoot, "glove", "glove.6B.100d.top50k.txt");

    /// <summary>Runs the comparison; progress goes to <paramref name="log"/>.</summary>
    public static ExperimentResult Run(ExperimentOptions o, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        void Log(string m) => log.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1} s] {m}");
        if (!File.Exists(o.CsvPath)) throw new FileNotFoundException($"missing input {o.CsvPath} (see ../shared/data/README.md)", o.CsvPath);
        string modelPath = o.Model == "minilm"
            ? MiniLmPackage.TryGetModelFolder() ?? throw new InvalidOperationException($"all-MiniLM-L6-v2 is not in the NuGet cache: dotnet restore examples/ModelBuilder (PackageDownload of {MiniLmPackage.PackageId} {MiniLmPackage.Version}).")
            : o.Model;
        string modelName = o.Model == "minilm" ? "all-MiniLM-L6-v2" : Path.GetFileName(modelPath.TrimEnd('/', '\\'));
        Directory.CreateDirectory(o.OutputDirectory);

        var ml = new MLContext(seed: o.Seed);
        var rows = ml.Data.CreateEnumerable<TickerModel.ModelInput>(TickerModel.LoadData(ml, o.CsvPath), reuseRowObject: false).ToList();
        var (train, test) = Split(rows, o);
        var classes = train.Select(r => r.Ticker).Distinct().Order(StringComparer.Ordinal).ToList();
        double majority = test.GroupBy(r => r.Ticker).Max(g => g.Count()) / (double)test.Count;
        Log($"data: {rows.Count} rows read, {classes.Count} tickers, {train.Count} train / {test.Count} held-out (seed {o.Seed})");
        var trainData = ml.Data.LoadFromEnumerable(train);
        var testData = ml.Data.LoadFromEnumerable(test);

        var variants = new List<(string Name, string File, TickerModel.PipelineSettings Settings)>
        {
            ("(a) ApplyEmbedding → SdcaMaximumEntropy", "apply-embedding.zip", new TickerModel.PipelineSettings { EmbeddingModelPath = modelPath, MaxLength = o.FineTune.MaxLength }),
        };
        if (o.RunFineTune)
        {
            var f = o.FineTune;
            variants.Add(($"(b) FineTuneEmbedding ({f.Loss}, {f.Epochs} ep, {f.PairsPerRow} pairs/row, lr {f.LearningRate:G3}) → SdcaMaximumEntropy", "fine-tune-embedding.zip",
                new TickerModel.PipelineSettings
                {
                    EmbeddingModelPath = modelPath, FineTune = true, Loss = f.Loss, Epochs = f.Epochs, BatchSize = f.BatchSize,
                    LearningRate = f.LearningRate, PairsPerRow = f.PairsPerRow, MaxLength = f.MaxLength, Seed = o.Seed, LogContext = f.LogContext,
                }));
        }
        if (o.RunEndToEnd)
        {
            var e = o.EndToEnd;
            foreach (var (tag, embeddingRate) in new[] { ("(c)", (float?)null), ("(d)", e.LearningRate / 10) })
                variants.Add(($"{tag} TextClassifier end to end ({e.Epochs} ep, lr {e.LearningRate:G3}{(embeddingRate is float r ? $", embedding lr {r:G3}" : "")})",
                    tag == "(c)" ? "text-classifier.zip" : "text-classifier-small-embedding-lr.zip",
                    new TickerModel.PipelineSettings
                    {
                        EmbeddingModelPath = modelPath, EndToEnd = true, Epochs = e.Epochs, BatchSize = e.BatchSize, LearningRate = e.LearningRate,
                        EmbeddingLearningRate = embeddingRate, MaxLength = e.MaxLength, Seed = o.Seed,
                    }));
        }
        var results = new List<VariantResult>();
        foreach (var (name, file, settings) in variants)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var fit = Stopwatch.StartNew();
            var model = TickerModel.RetrainModel(ml, trainData, settings);
            double wall = fit.Elapsed.TotalSeconds, cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(testData), "Label");
            string zip = Path.Combine(o.OutputDirectory, file);
            TickerModel.SaveModel(ml, model, trainData.Schema, zip);
            var r = new VariantResult(name, metrics.MicroAccuracy, MacroF1(metrics.ConfusionMatrix), metrics.MacroAccuracy, metrics.LogLoss, cpuSeconds, wall, zip);
            Log($"{name}: accuracy {r.Accuracy:F4}, macro-F1 {r.MacroF1:F4}, fit {wall:F0} s wall / {cpuSeconds:F0} CPU-s; saved {zip}");
            results.Add(r);
        }
        return new ExperimentResult(modelName, train.Count, test.Count, classes, majority, test, results);
    }

    /// <summary>
    /// Per ticker (rows with an empty question or ticker dropped): shuffle (seeded), keep at most RowsPerTicker, hold out
    /// round(TestFraction · n) (at least one) — a stratified split by row. Tickers under MinRowsPerTicker are dropped.
    /// </summary>
    public static (List<TickerModel.ModelInput> Train, List<TickerModel.ModelInput> Test) Split(IEnumerable<TickerModel.ModelInput> rows, ExperimentOptions o)
    {
        var rng = new Random(o.Seed);
        var groups = rows.Where(r => !string.IsNullOrWhiteSpace(r.Question) && !string.IsNullOrWhiteSpace(r.Ticker))
            .GroupBy(r => r.Ticker, StringComparer.Ordinal)
            .Where(g => g.Count() >= o.MinRowsPerTicker)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(o.Tickers ?? int.MaxValue)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        if (groups.Count < 2) throw new InvalidOperationException($"fewer than two tickers have {o.MinRowsPerTicker} rows in {o.CsvPath}.");
        var train = new List<TickerModel.ModelInput>();
        var test = new List<TickerModel.ModelInput>();
        foreach (var g in groups)
        {
            var list = g.ToList();
            rng.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
            if (o.RowsPerTicker is int cap && list.Count > cap) list.RemoveRange(cap, list.Count - cap);
            int held = Math.Clamp((int)Math.Round(o.TestFraction * list.Count), 1, list.Count - 1);
            test.AddRange(list.Take(held));
            train.AddRange(list.Skip(held));
        }
        rng.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(train)); // mixed tickers per SDCA / fine-tuning batch
        return (train, test);
    }

    /// <summary>
    /// Macro-F1 from ML.NET's confusion matrix (rows: true class, columns: predicted): per class F1 = 2TP / (2TP + FP + FN),
    /// averaged over the classes that occur in the test rows or in the predictions.
    /// </summary>
    public static double MacroF1(ConfusionMatrix matrix)
    {
        var counts = matrix.Counts;
        int n = counts.Count;
        double sum = 0;
        int classes = 0;
        for (int c = 0; c < n; c++)
        {
            double tp = counts[c][c], fn = counts[c].Sum() - tp, fp = 0;
            for (int r = 0; r < n; r++) if (r != c) fp += counts[r][c];
            if (tp + fn + fp == 0) continue;
            sum += 2 * tp / (2 * tp + fp + fn);
            classes++;
        }
        return classes == 0 ? 0 : sum / classes;
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MLNet.Embeddings.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
