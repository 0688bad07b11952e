using System.Text.RegularExpressions;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Evaluation;
using Xunit.Abstractions;
using MLNet.Embeddings.Data;

namespace MLNet.Embeddings.Training.Tests.Evaluation;

/// <summary>
/// The evaluators end to end on real data (STS benchmark, Financial-QA-10k) with averaged GloVe vectors as the
/// embedding function, against numbers computed independently with numpy/scipy by tools/fixtures/eval_glove_reference.py.
/// </summary>
public partial class RealDataEvaluationTests(ITestOutputHelper output)
{
    private static readonly Lazy<Dictionary<string, float[]>> Glove = new(() =>
    {
        var path = Path.Combine(DataDir(), "glove", "glove.6B.100d.top50k.txt");
        var table = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            var span = line.AsSpan();
            int space = span.IndexOf(' ');
            var vector = new float[100];
            int i = 0;
            foreach (var range in span[(space + 1)..].Split(' '))
                vector[i++] = float.Parse(span[(space + 1)..][range], System.Globalization.CultureInfo.InvariantCulture);
            table[line[..space]] = vector;
        }
        return table;
    });

    internal static string DataDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MLNet.Embeddings.sln"))) dir = dir.Parent;
        Assert.True(dir is not null, "Repository root (MLNet.Embeddings.sln) not found above " + AppContext.BaseDirectory);
        var data = Path.GetFullPath(Path.Combine(dir!.FullName, "..", "shared", "data"));
        Assert.True(Directory.Exists(data), $"Shared data folder {data} is missing (expected ../shared/data beside the checkout).");
        return data;
    }

    [GeneratedRegex("[a-z0-9]+")]
    private static partial Regex Token();

    /// <summary>Mean of the GloVe vectors of the known lower-cased tokens (zero vector when none).</summary>
    private static float[][] Embed(IReadOnlyList<string> texts) => texts.Select(t =>
    {
        var sum = new double[100];
        int count = 0;
        foreach (Match m in Token().Matches(t.ToLowerInvariant()))
            if (Glove.Value.TryGetValue(m.Value, out var v)) { for (int i = 0; i < 100; i++) sum[i] += v[i]; count++; }
        return sum.Select(s => count == 0 ? 0f : (float)(s / count)).ToArray();
    }).ToArray();

    [Fact]
    public void StsBenchmarkCorrelationsMatchScipy()
    {
        using var reference = EvaluationFixtures.Load("glove_reference.json");
        var sts = reference.RootElement.GetProperty("sts");
        var s1 = new List<string>(); var s2 = new List<string>(); var gold = new List<double>();
        foreach (var line in File.ReadLines(Path.Combine(DataDir(), "stsbenchmark", "sts-test.csv")))
        {
            var cols = line.Split('\t');
            gold.Add(double.Parse(cols[4], System.Globalization.CultureInfo.InvariantCulture)); s1.Add(cols[5]); s2.Add(cols[6]);
        }
        Assert.Equal(sts.GetProperty("pairs").GetInt32(), gold.Count);
        var m = new EmbeddingSimilarityEvaluator(s1, s2, gold).Evaluate(Embed);
        output.WriteLine($"STS-B test, GloVe-100d mean: pearson {m["pearson"]:F6} (scipy {sts.GetProperty("pearson").GetDouble():F6}), spearman {m["spearman"]:F6} (scipy {sts.GetProperty("spearman").GetDouble():F6})");
        Assert.Equal(sts.GetProperty("pearson").GetDouble(), m["pearson"], 4);
        Assert.Equal(sts.GetProperty("spearman").GetDouble(), m["spearman"], 4);
    }

    [Fact]
    public void FinancialQaRetrievalMatchesReference()
    {
        using var reference = EvaluationFixtures.Load("glove_reference.json");
        int take = reference.RootElement.GetProperty("rows").GetInt32();
        var rows = new List<TrainingExample>();
        using (var csv = new CsvRecordReader(new StreamReader(Path.Combine(DataDir(), "financial-qa-10k", "Financial-QA-10k.csv"))))
        {
            var fields = new List<string>();
            csv.Read(fields);
            int q = fields.IndexOf("question"), c = fields.IndexOf("context");
            while (rows.Count < take && csv.Read(fields))
                rows.Add(new TrainingExample { Query = fields[q], Pos = { fields[c] } });
        }
        var ev = InformationRetrievalEvaluator.FromExamples(rows);
        Assert.Equal(reference.RootElement.GetProperty("queries").GetInt32(), ev.QueryCount);
        Assert.Equal(reference.RootElement.GetProperty("corpus").GetInt32(), ev.CorpusCount);
        var m = ev.Evaluate(Embed);
        double worst = 0;
        foreach (var metric in reference.RootElement.GetProperty("ir").EnumerateObject())
        {
            double diff = Math.Abs(metric.Value.GetDouble() - m[metric.Name]);
            worst = Math.Max(worst, diff);
            // float32 vectors vs float64 in numpy: allow one near-tie swapped in one of ~300 queries.
            Assert.True(diff < 4e-3, $"{metric.Name}: {m[metric.Name]} vs reference {metric.Value.GetDouble()}");
        }
        output.WriteLine($"Financial-QA (first {take} rows), GloVe-100d mean: ndcg@10 {m["ndcg@10"]:F6}, mrr@10 {m["mrr@10"]:F6}, recall@10 {m["recall@10"]:F6}; largest difference from the numpy reference {worst:E2}");
    }
}
