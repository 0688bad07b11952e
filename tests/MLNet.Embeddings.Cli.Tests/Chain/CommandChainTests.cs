using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Data;

namespace MLNet.Embeddings.Cli.Tests.Chain;

/// <summary>
/// The project's own commands compose: each step takes the previous step's output as it is, on real data
/// (financial-qa-10K, GloVe). No repair between steps.
/// </summary>
[Collection("Console")]
public sealed class CommandChainTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("mlnet-chain-").FullName;
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    string F(string name) => Path.Combine(_dir, name);

    static string Shared(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MLNet.Embeddings.sln"))) dir = dir.Parent;
        var p = Path.GetFullPath(Path.Combine(dir!.FullName, "..", "shared", "data", relative));
        Assert.True(File.Exists(p), $"shared data file missing: {p}");
        return p;
    }

    static string Glove => Shared("glove/glove.6B.100d.top50k.txt");

    static (string Out, string Err) Ok(params string[] args)
    {
        var (code, stdout, stderr) = ConsoleRun.Cli(args);
        Assert.True(code == 0, $"{string.Join(' ', args.Take(2))} exited {code}: {stderr}");
        return (stdout, stderr);
    }

    /// <summary>The first <paramref name="rows"/> records of the financial-qa CSV, re-quoted (keeps the chain fast).</summary>
    string SubsetCsv(int rows)
    {
        var path = F("fqa.csv");
        using var reader = new CsvRecordReader(new StreamReader(Shared("financial-qa-10k/Financial-QA-10k.csv"), Encoding.UTF8), ',', quoting: true);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        var record = new List<string>();
        for (int n = 0; n <= rows && reader.Read(record); n++)
            w.Write(string.Join(",", record.Select(f => "\"" + f.Replace("\"", "\"\"") + "\"")) + "\n");
        return path;
    }

    [Fact]
    public void ImportCleanMineSplitLeakageTrainEvalWithDefaults()
    {
        // every data step with its default options
        var (imp, _) = Ok("data", "import", "--input", SubsetCsv(1500), "--query-column", "question", "--pos-column", "context",
            "--keep-columns", "ticker", "--output", F("all.jsonl"));
        Assert.True(JsonDocument.Parse(imp).RootElement.GetProperty("rows_written").GetInt64() > 1400);
        var (clean, cleanErr) = Ok("data", "clean", "--input", F("all.jsonl"), "--output", F("clean.jsonl"));
        Assert.Contains("written to", cleanErr);
        long cleaned = JsonDocument.Parse(clean).RootElement.GetProperty("rows_written").GetInt64();
        Ok("data", "mine", "--input", F("clean.jsonl"), "--output", F("mined.jsonl"));
        var (split, splitErr) = Ok("data", "split", "--input", F("mined.jsonl"), "--output-dir", F("splits"));
        Assert.Equal(cleaned, JsonDocument.Parse(split).RootElement.GetProperty("rows").EnumerateArray().Sum(e => e.GetInt64()));
        Assert.StartsWith("split: ", splitErr.Split('\n').First(l => l.StartsWith("split: ", StringComparison.Ordinal)));
        Ok("data", "leakage", "--files", F("splits/train.jsonl"), F("splits/val.jsonl"), F("splits/test.jsonl")); // exit 0: no leak

        // train: defaults but for a GloVe-sized learning rate and few steps (CI stays quick)
        var (train, trainErr) = Ok("train", "--model", Glove, "--train", F("splits/train.jsonl"), "--output", F("model"), "--max-steps", "40", "--lr", "0.05",
            "--eval", F("splits/val.jsonl"));
        Assert.Contains("hard negatives: 3 per row", trainErr);
        Assert.Equal(40, JsonDocument.Parse(train).RootElement.GetProperty("steps").GetInt32());

        // the pipeline's own split file plots, coloured by a column import kept
        var (plot, _) = Ok("plot", "--model", F("model"), "--input", F("splits/test.jsonl"), "--label-column", "ticker", "--output", F("test.svg"), "--limit", "60");
        Assert.True(JsonDocument.Parse(plot).RootElement.GetProperty("labels").GetInt32() > 1);

        var (eval, evalErr) = Ok("eval", "--model", F("model"), "--baseline", Glove, "--data", F("splits/test.jsonl"));
        var metrics = JsonDocument.Parse(eval).RootElement;
        double before = metrics.GetProperty("baseline").GetProperty("ndcg@10").GetDouble(), after = metrics.GetProperty("model").GetProperty("ndcg@10").GetDouble();
        Assert.True(after > before + 0.02, $"ndcg@10 {before:F4} → {after:F4}");
        Assert.Contains($"eval: ndcg@10 {before:F4} (baseline) → {after:F4} (model)", evalErr);
        var (single, singleErr) = Ok("eval", "--model", F("model"), "--data", F("splits/test.jsonl"));
        Assert.Equal(after, JsonDocument.Parse(single).RootElement.GetProperty("ndcg@10").GetDouble());
        Assert.Contains($"eval: ndcg@10 {after:F4} (primary metric", singleErr);

        // the card says how the model was made; info prints it
        var (info, _) = Ok("info", "--model", F("model"));
        var card = JsonDocument.Parse(info).RootElement.GetProperty("model").GetProperty("model_card");
        var data = card.GetProperty("training_data")[0];
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(F("splits/train.jsonl")))), data.GetProperty("sha256").GetString());
        Assert.Equal(File.ReadLines(F("splits/train.jsonl")).Count(), data.GetProperty("rows").GetInt64());
        Assert.Equal(Path.GetFullPath(Glove), card.GetProperty("base_model").GetString());
        Assert.Equal(40, card.GetProperty("steps").GetInt32());
        Assert.Equal("mnrl", card.GetProperty("loss").GetString());
        Assert.Equal(0.05, card.GetProperty("hyperparameters").GetProperty("learning_rate").GetDouble(), 6);
        Assert.Contains("| `" + F("splits/train.jsonl") + "` |", File.ReadAllText(F("model/README.md")));
        Assert.Equal("ndcg@10", card.GetProperty("primary_metric").GetString());
        double valBefore = card.GetProperty("evaluation_before").GetProperty("ndcg@10").GetDouble();
        double valAfter = card.GetProperty("evaluation_after").GetProperty("ndcg@10").GetDouble();
        Assert.True(valAfter > valBefore, $"val ndcg@10 {valBefore:F4} → {valAfter:F4}");
    }

    [Fact]
    public void TrainAcceptsWhatMineWritesEvenWhenRowsComeOutShort()
    {
        // The case of the issue: one row of the mined file gets 2 of 3 negatives (BM25 finds few candidates in ranks 2-30).
        Ok("data", "import", "--input", Shared("financial-qa-10k/Financial-QA-10k.csv"), "--query-column", "question", "--pos-column", "context", "--output", F("fin.jsonl"));
        var (mine, mineErr) = Ok("data", "mine", "--input", F("fin.jsonl"), "--output", F("mined.jsonl"), "--method", "bm25",
            "--negatives", "3", "--range-min", "1", "--range-max", "30");
        var summary = JsonDocument.Parse(mine).RootElement;
        long shortRows = summary.GetProperty("rows_with_fewer_negatives").GetInt64();
        Assert.True(shortRows > 0, "the issue's data has a short row");
        Assert.Equal(shortRows, summary.GetProperty("short_rows_by_cause").GetProperty("window").GetInt64());
        Assert.Contains($"mine: {shortRows} of ", mineErr);
        Assert.Contains("window", mineErr);
        Ok("data", "split", "--input", F("mined.jsonl"), "--output-dir", F("splits"));
        var counts = TrainingDataReader.Read(F("splits/train.jsonl")).Select(r => r.Neg.Count).ToList();
        int filled = counts.Count(c => c < 3);
        Assert.True(filled > 0, "with split's default seed the short row lands in train.jsonl");
        var (_, trainErr) = Ok("train", "--model", Glove, "--train", F("splits/train.jsonl"), "--output", F("model"), "--loss", "mnrl", "--max-steps", "2");
        Assert.Contains($"hard negatives: 3 per row (most rows have 3: {counts.Count(c => c == 3):N0} of {counts.Count:N0}", trainErr);
        Assert.Contains($"{filled} row(s) filled", trainErr);
    }
}
