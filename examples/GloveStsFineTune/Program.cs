// Fine-tunes averaged GloVe word vectors on the STS benchmark with the cosine-similarity loss, and reports the
// cosine Spearman correlation on sts-test before and after (sentence-transformers' training_stsbenchmark example,
// with the word vectors themselves trained).
//
//   dotnet run --project examples/GloveStsFineTune -c Release -- [--vectors glove.txt] [--sts folder] [--epochs 4] [--lr 3e-2] [--batch-size 16]
//
// Defaults: ../shared/data/glove/glove.6B.100d.top50k.txt and ../shared/data/stsbenchmark beside the repository.
// stdout: one JSON line with the figures; progress goes to stderr.
using System.Globalization;
using System.Text.Json;
using MLNet.Embeddings;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Evaluation;
using MLNet.Embeddings.Training.Losses;
using MLNet.Embeddings.Training;

string data = Path.Combine(FindRepoRoot(), "..", "shared", "data");
string glovePath = Arg("--vectors") ?? Path.Combine(data, "glove", "glove.6B.100d.top50k.txt");
string stsFolder = Arg("--sts") ?? Path.Combine(data, "stsbenchmark");
int epochs = int.Parse(Arg("--epochs") ?? "4", CultureInfo.InvariantCulture);
float learningRate = float.Parse(Arg("--lr") ?? "3e-2", CultureInfo.InvariantCulture);
int batchSize = int.Parse(Arg("--batch-size") ?? "16", CultureInfo.InvariantCulture);

var train = ReadSts(Path.Combine(stsFolder, "sts-train.csv"));
var dev = ReadSts(Path.Combine(stsFolder, "sts-dev.csv"));
var test = ReadSts(Path.Combine(stsFolder, "sts-test.csv"));

// A word-vector file loads as a mean-pooled encoder: WordTokenizer → embedding.weight rows → mean.
var model = SentenceEncoder.Load(glovePath);
var devEvaluator = Evaluator(dev, "sts-dev");
var testEvaluator = Evaluator(test, "sts-test");
double devBefore = devEvaluator.Evaluate(model)["spearman"];
double testBefore = testEvaluator.Evaluate(model)["spearman"];
Console.Error.WriteLine($"before: sts-dev spearman {devBefore:F4}, sts-test spearman {testBefore:F4}");

// Scored pairs: sentence1 → Query, sentence2 → Pos[0], score / 5 → Score (0..1), as sentence-transformers' example.
var rows = train.Select(p => new TrainingExample { Query = p.A, Pos = { p.B }, Score = (float)(p.Score / 5) }).ToList();
var options = new TrainerOptions
{
    Epochs = epochs,
    BatchSize = batchSize,
    LearningRate = learningRate,
    WeightDecay = 0f,
    SparseUpdates = true,          // lazy Adam: only the word rows a batch used are updated
    Evaluator = devEvaluator,      // model selection on sts-dev; sts-test is only looked at before and after
    LoadBestModelAtEnd = true,
    Progress = new Progress<TrainingProgress>(p =>
    {
        if (p.Step % 100 == 0 || p.Step == p.TotalSteps)
            Console.Error.WriteLine($"step {p.Step}/{p.TotalSteps} epoch {p.Epoch:F2} loss {p.Loss:F4} lr {p.LearningRate:G3}");
    }),
};
var started = DateTime.UtcNow;
new SentenceEncoderTrainer(model, new CosineSimilarityLoss(), options).Fit(rows);
double seconds = (DateTime.UtcNow - started).TotalSeconds;

double devAfter = devEvaluator.Evaluate(model)["spearman"];
double testAfter = testEvaluator.Evaluate(model)["spearman"];
Console.Error.WriteLine($"after:  sts-dev spearman {devAfter:F4}, sts-test spearman {testAfter:F4} ({seconds:F0} s)");
Console.WriteLine(JsonSerializer.Serialize(new
{
    vectors = Path.GetFileName(glovePath),
    train_pairs = rows.Count,
    epochs,
    batch_size = batchSize,
    learning_rate = learningRate,
    dev_spearman_before = Math.Round(devBefore, 4),
    dev_spearman_after = Math.Round(devAfter, 4),
    test_spearman_before = Math.Round(testBefore, 4),
    test_spearman_after = Math.Round(testAfter, 4),
    train_seconds = Math.Round(seconds, 1),
}));

string? Arg(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static EmbeddingSimilarityEvaluator Evaluator(List<(double Score, string A, string B)> pairs, string name)
    => new(pairs.Select(p => p.A).ToArray(), pairs.Select(p => p.B).ToArray(), pairs.Select(p => p.Score).ToArray(), name);

// STS benchmark: tab-separated genre, file, year, id, score (0–5), sentence1, sentence2 [, extra columns]; quotes are not special.
static List<(double Score, string A, string B)> ReadSts(string path)
{
    var pairs = new List<(double, string, string)>();
    foreach (var line in File.ReadLines(path))
    {
        if (line.Length == 0) continue;
        var f = line.Split('\t');
        if (f.Length < 7) throw new FormatException($"{path}: expected at least 7 tab-separated fields, found {f.Length}: {line}");
        pairs.Add((double.Parse(f[4], CultureInfo.InvariantCulture), f[5], f[6]));
    }
    return pairs;
}

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "MLNet.Embeddings.sln"))) return dir.FullName;
    return Directory.GetCurrentDirectory();
}
