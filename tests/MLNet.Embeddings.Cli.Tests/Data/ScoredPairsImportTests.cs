using System.Globalization;
using System.Text.Json;

namespace MLNet.Embeddings.Cli.Tests.Data;

/// <summary>
/// <c>data import --score-column</c> turns STS-B (plain TSV, no header) into scored pairs, which <c>train --loss cosine</c>
/// and <c>--eval</c> / <c>eval</c> read as the similarity task (Spearman).
/// </summary>
[Collection("Console")]
public class ScoredPairsImportTests
{
    const string Sts = "../shared/data/stsbenchmark";

    static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MLNet.Embeddings.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    static string Import(string split, string dir)
    {
        string output = Path.Combine(dir, split + ".jsonl");
        var r = ConsoleRun.Cli("data", "import", "--input", Path.Combine(Root(), Sts, $"sts-{split}.csv"), "--format", "tsv", "--no-header",
            "--query-column", "5", "--pos-column", "6", "--score-column", "4", "--output", output);
        Assert.True(r.Code == 0, r.Err);
        return output;
    }

    [Fact]
    public void StsBenchmarkTrainsAndEvaluatesFromTheCli()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-scored", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string train = Import("train", dir), dev = Import("dev", dir);

        // every row carries its sentence pair and the file's score
        var source = File.ReadLines(Path.Combine(Root(), Sts, "sts-train.csv")).Select(l => l.Split('\t')).ToList();
        var rows = File.ReadLines(train).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(source.Count, rows.Count);
        foreach (var (f, row) in source.Zip(rows).Where((_, i) => i % 97 == 0))
        {
            Assert.Equal(f[5].Trim(), row.GetProperty("query").GetString());
            Assert.Equal(f[6].Trim(), row.GetProperty("pos")[0].GetString());
            Assert.Equal(float.Parse(f[4], CultureInfo.InvariantCulture), row.GetProperty("score").GetSingle());
        }

        var r = ConsoleRun.Cli("train", "--model", Path.Combine(Root(), "../shared/data/glove/glove.6B.100d.top50k.txt"), "--train", train,
            "--loss", "cosine", "--output", Path.Combine(dir, "run"), "--max-steps", "20", "--batch-size", "16", "--eval", dev, "--eval-steps", "20");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("eval step 20: spearman ", r.Err);
        using var summary = JsonDocument.Parse(r.Out.Trim());
        double spearman = summary.RootElement.GetProperty("best_metric").GetProperty("spearman").GetDouble();
        Assert.InRange(spearman, 0.3, 1.0); // GloVe on sts-dev starts at 0.55: a scored-pairs evaluation, not a broken one

        var bad = Path.Combine(dir, "bad.tsv");
        File.WriteAllLines(bad, ["a\tb\t4.0", "c\td\tfive"]);
        var b = ConsoleRun.Cli("data", "import", "--input", bad, "--no-header", "--query-column", "0", "--pos-column", "1", "--score-column", "2", "--output", Path.Combine(dir, "bad.jsonl"));
        Assert.Equal(0, b.Code);
        Assert.Contains("expected a number, found 'five'", b.Err + b.Out);
        Assert.Single(File.ReadAllLines(Path.Combine(dir, "bad.jsonl")));
    }
}
