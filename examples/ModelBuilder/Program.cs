// A Model Builder-style script on real data: route each financial-qa-10K question to its company (label = ticker).
// Rows are split per ticker (seeded, stratified; tickers with too few rows dropped), then two pipelines are fitted on
// the same train rows and evaluated on the same held-out rows:
//   (a) ml.Transforms.ApplyEmbedding (the model as it is) → SdcaMaximumEntropy
//   (b) ml.Transforms.FineTuneEmbedding in labelled-text mode (SetFit style: same/other-ticker pairs) → SdcaMaximumEntropy
//   (c) transformer models only: ml.MulticlassClassification.Trainers.TextClassifier, fine-tuned end to end
//   (d) the same with a 10× smaller learning rate on the encoder's embedding layer
// Each fitted pipeline is saved as a zip (model weights inside); the fine-tuned one is then loaded again through
// TickerModel.Predict, the static, lazily loading consumption API that Model Builder generates.
//
//   dotnet run --project examples/ModelBuilder -c Release -- [--model glove.txt|FOLDER|minilm] [--out folder]
//       [--csv Financial-QA-10k.csv] [--tickers N] [--rows-per-ticker N] [--min-rows 20] [--test-fraction 0.2]
//       [--loss CosineSimilarity] [--epochs 1] [--pairs-per-row 4] [--lr 0.02] [--batch-size 32] [--max-length N]
//       [--seed 42] [--no-fine-tune] [--no-end-to-end] [--e2e-epochs 3] [--e2e-lr 1e-4] [--e2e-batch-size 16]
//
// Defaults: GloVe (../shared/data/glove), all 69 tickers, 80/20; outputs in model-builder-tickers under the temp
// folder (results.md, results.json, apply-embedding.zip, fine-tune-embedding.zip). stdout: the Markdown table.
using System.Globalization;
using System.Text.Json;
using MLNet.Embeddings.ML;
using ModelBuilderExample;

string? Arg(string name) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
int? Int(string name) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;

var o = new ExperimentOptions();
if (Arg("--csv") is { } csv) o.CsvPath = csv;
if (Arg("--model") is { } model) o.Model = model;
if (Arg("--out") is { } outDir) o.OutputDirectory = Path.GetFullPath(outDir);
o.Tickers = Int("--tickers");
o.RowsPerTicker = Int("--rows-per-ticker");
o.MinRowsPerTicker = Int("--min-rows") ?? o.MinRowsPerTicker;
o.Seed = Int("--seed") ?? o.Seed;
if (Arg("--test-fraction") is { } tf) o.TestFraction = double.Parse(tf, CultureInfo.InvariantCulture);
o.RunFineTune = !args.Contains("--no-fine-tune");
bool transformer = o.Model == "minilm" || Directory.Exists(o.Model);
o.RunEndToEnd = transformer && !args.Contains("--no-end-to-end");
var e2e = o.EndToEnd;
e2e.Epochs = Int("--e2e-epochs") ?? e2e.Epochs;
e2e.BatchSize = Int("--e2e-batch-size") ?? e2e.BatchSize;
e2e.MaxLength = Int("--max-length");
if (Arg("--e2e-lr") is { } e2eLr) e2e.LearningRate = float.Parse(e2eLr, CultureInfo.InvariantCulture);
var f = o.FineTune;
if (Arg("--loss") is { } loss) f.Loss = Enum.Parse<EmbeddingLoss>(loss, ignoreCase: true);
f.Epochs = Int("--epochs") ?? f.Epochs;
f.PairsPerRow = Int("--pairs-per-row") ?? f.PairsPerRow;
f.BatchSize = Int("--batch-size") ?? f.BatchSize;
f.MaxLength = Int("--max-length");
f.LearningRate = Arg("--lr") is { } lr ? float.Parse(lr, CultureInfo.InvariantCulture) : transformer ? 2e-5f : f.LearningRate;

var result = Experiment.Run(o, Console.Error);
string table = result.ToMarkdown();
File.WriteAllText(Path.Combine(o.OutputDirectory, "results.md"), table);
File.WriteAllText(Path.Combine(o.OutputDirectory, "results.json"), JsonSerializer.Serialize(new
{
    model = result.ModelName, result.TrainRows, result.TestRows, tickers = result.Classes.Count, majority_share = result.MajorityShare,
    end_to_end = o.RunEndToEnd ? new { e2e.Epochs, e2e.BatchSize, learning_rate = e2e.LearningRate, max_length = e2e.MaxLength } : null,
    fine_tune = new { loss = f.Loss.ToString(), f.Epochs, pairs_per_row = f.PairsPerRow, f.BatchSize, learning_rate = f.LearningRate, max_length = f.MaxLength },
    variants = result.Variants,
}, new JsonSerializerOptions { WriteIndented = true }));

// Consumption, as an app would do it: point the generated class at the saved zip and call Predict.
TickerModel.MLNetModelPath = result.Variants[^1].ZipPath;
var sample = result.TestSet[0];
var prediction = TickerModel.Predict(new TickerModel.ModelInput { Question = sample.Question });
Console.Error.WriteLine($"Predict(\"{sample.Question}\") = {prediction.PredictedLabel} (true: {sample.Ticker}, p = {prediction.Score.Max():F3})");
Console.WriteLine(table);
