using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Data.Mining;

namespace MLNet.Embeddings.Training.Tests.Data.Mining;

public class HardNegativeMinerTests
{
    private static readonly string[] Words =
        ["apple", "banana", "cherry", "grape", "lemon", "mango", "melon", "peach", "pear", "plum", "kiwi", "lime", "fig", "date", "guava", "papaya"];

    /// <summary>A bag-of-words hashing "encoder": deterministic, similar texts get similar vectors.</summary>
    internal static float[][] FakeEmbed(IReadOnlyList<string> texts) => texts.Select(t =>
    {
        var v = new float[32];
        foreach (var w in t.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            v[(int)((uint)w.GetHashCode(StringComparison.Ordinal) % 32)] += 1;
        v[0] += 0.01f;
        return v;
    }).ToArray();

    private static string Sentence(Random rng, int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => Words[rng.Next(Words.Length)]));

    private static List<TrainingExample> RandomRows(int seed, int count)
    {
        var rng = new Random(seed);
        var rows = new List<TrainingExample>();
        var shared = Enumerable.Range(0, 5).Select(_ => Sentence(rng, 6)).ToList();
        for (int i = 0; i < count; i++)
        {
            var q = Sentence(rng, rng.Next(1, 5));
            var pos = new List<string> { Sentence(rng, rng.Next(3, 9)) };
            if (rng.Next(3) == 0) pos.Add(shared[rng.Next(shared.Count)]);            // positives shared between rows
            if (rng.Next(4) == 0) pos.Add(q.ToUpperInvariant() + "  ");               // positive equal to the query up to case/space
            if (rng.Next(5) == 0) pos.Add(rows.Count > 0 ? rows[rng.Next(rows.Count)].Pos[0].ToUpperInvariant() : q);
            rows.Add(new TrainingExample { Query = q, Pos = pos, Line = i + 1 });
        }
        return rows;
    }

    public static TheoryData<MiningMethod, SamplingStrategy, int, int> Settings() => new()
    {
        { MiningMethod.Bm25, SamplingStrategy.Top, 0, 50 },
        { MiningMethod.Bm25, SamplingStrategy.Random, 2, 30 },
        { MiningMethod.Dense, SamplingStrategy.Top, 0, 100 },
        { MiningMethod.Dense, SamplingStrategy.Random, 5, 40 },
        { MiningMethod.Hybrid, SamplingStrategy.Top, 1, 20 },
        { MiningMethod.Hybrid, SamplingStrategy.Random, 0, 60 },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void NeverReturnsAPositiveOrTheQueryAsNegative(MiningMethod method, SamplingStrategy sampling, int rangeMin, int rangeMax)
    {
        for (int seed = 0; seed < 4; seed++)
        {
            var rows = RandomRows(seed, 150);
            var o = new MiningOptions { Method = method, Sampling = sampling, RangeMin = rangeMin, RangeMax = rangeMax, NumNegatives = 5, Seed = seed, ChunkSize = 64 };
            var mined = HardNegativeMiner.Mine(rows, o, out var summary, FakeEmbed, null, default);
            Assert.Equal(rows.Count, mined.Count);
            Assert.Equal(rows.Count, summary.Rows);
            for (int i = 0; i < rows.Count; i++)
            {
                var forbidden = rows[i].Pos.Append(rows[i].Query).Select(TextNormalizer.Key).ToHashSet();
                Assert.All(mined[i].Neg, n => Assert.DoesNotContain(TextNormalizer.Key(n), forbidden));
                Assert.InRange(mined[i].Neg.Count, 0, 5);
                Assert.Equal(mined[i].Neg.Count, mined[i].Neg.Select(TextNormalizer.Key).Distinct().Count());
                Assert.Equal(rows[i].Pos, mined[i].Pos);
                if (mined[i].Neg.Count > 0)
                {
                    var meta = mined[i].Extra!["neg_meta"];
                    Assert.Equal(mined[i].Neg.Count, meta.GetArrayLength());
                    foreach (var m in meta.EnumerateArray())
                        Assert.InRange(m.GetProperty("rank").GetInt32(), rangeMin + 1, rangeMax);
                }
            }
            Assert.True(summary.RowsWithAllNegatives > rows.Count / 2, $"only {summary.RowsWithAllNegatives} rows got all negatives");
        }
    }

    [Fact]
    public void TopSamplingTakesTheBestRanksAfterTheWindowStart()
    {
        var rows = RandomRows(7, 80);
        var corpus = MiningCorpus.FromPositives(rows);
        var index = new Bm25Index(corpus.Texts);
        var mined = HardNegativeMiner.Mine(rows, new MiningOptions { RangeMin = 3, NumNegatives = 4 }, out _, (Func<IReadOnlyList<string>, float[][]>?)null, corpus, default);
        for (int i = 0; i < rows.Count; i++)
        {
            var forbidden = rows[i].Pos.Append(rows[i].Query).Select(TextNormalizer.Key).ToHashSet();
            var expected = index.Search(rows[i].Query, corpus.Count)
                .Where(c => !forbidden.Contains(TextNormalizer.Key(corpus.Texts[c.Id]))).Skip(3).Take(4).Select(c => corpus.Texts[c.Id]).ToList();
            Assert.Equal(expected, mined[i].Neg);
        }
    }

    [Fact]
    public void ScoreCapsMarginsTeacherScoresAndSeededSampling()
    {
        var rows = RandomRows(3, 100);
        var o = new MiningOptions { Method = MiningMethod.Dense, MaxScore = 0.8f, RelativeMargin = 0.1f, NumNegatives = 3, TeacherScores = true };
        var mined = HardNegativeMiner.Mine(rows, o, out var s, FakeEmbed, null, default);
        for (int i = 0; i < rows.Count; i++)
        {
            var m = mined[i];
            Assert.Equal(m.Pos.Count, m.PosScores!.Count);
            Assert.Equal(m.Neg.Count, m.NegScores!.Count);
            float minPos = m.PosScores.Min();
            Assert.All(m.NegScores, ns => { Assert.True(ns <= 0.8f + 1e-5f); Assert.True(ns <= minPos * 0.9f + 1e-5f, $"{ns} vs positive {minPos}"); });
        }
        Assert.True(s.SkippedByMaxScore + s.SkippedByMargin > 0);
        Assert.Equal(s.Rows, s.NegativesPerRow.Values.Sum());
        Assert.Equal(s.NegativesPerRow.Sum(kv => kv.Key * kv.Value), s.ScoreHistogram.Sum(b => b.Count));

        var r1 = HardNegativeMiner.Mine(rows, new MiningOptions { Sampling = SamplingStrategy.Random, Seed = 5 }, out _, (Func<IReadOnlyList<string>, float[][]>?)null, null, default);
        var r2 = HardNegativeMiner.Mine(rows, new MiningOptions { Sampling = SamplingStrategy.Random, Seed = 5 }, out _, (Func<IReadOnlyList<string>, float[][]>?)null, null, default);
        var r3 = HardNegativeMiner.Mine(rows, new MiningOptions { Sampling = SamplingStrategy.Random, Seed = 6 }, out _, (Func<IReadOnlyList<string>, float[][]>?)null, null, default);
        Assert.Equal(r1.SelectMany(r => r.Neg), r2.SelectMany(r => r.Neg));
        Assert.NotEqual(r1.SelectMany(r => r.Neg), r3.SelectMany(r => r.Neg));
    }

    [Fact]
    public void MinesChineseFileWithBm25()
    {
        using var d = new TempDir();
        var output = d.File("zh_mined.jsonl");
        var summary = HardNegativeMiner.Mine(SharedData.Path("zh/bge_finetune_data_zh.jsonl"), output,
            new MiningOptions { NumNegatives = 7, RangeMin = 2, RangeMax = 50, ChunkSize = 1000 }, (SentenceEncoder?)null);
        Assert.Equal(2701, summary.Rows);
        Assert.True(summary.RowsWithAllNegatives > 2600, $"{summary.RowsWithAllNegatives}");
        var input = TrainingDataReader.Read(SharedData.Path("zh/bge_finetune_data_zh.jsonl")).ToList();
        var mined = TrainingDataReader.Read(output).ToList();
        Assert.Equal(input.Count, mined.Count);
        for (int i = 0; i < input.Count; i++)
        {
            Assert.Equal(input[i].Query, mined[i].Query);
            var forbidden = input[i].Pos.Append(input[i].Query).Select(TextNormalizer.Key).ToHashSet();
            Assert.All(mined[i].Neg, n => Assert.DoesNotContain(TextNormalizer.Key(n), forbidden));
        }
    }

    [Fact]
    public void DenseWithoutModelIsRefusedAndNothingIsWritten()
    {
        using var d = new TempDir();
        var input = d.File("in.jsonl", "{\"query\":\"a\",\"pos\":[\"b\"]}\n");
        var output = d.File("out.jsonl");
        Assert.Throws<ArgumentException>(() => HardNegativeMiner.Mine(input, output, new MiningOptions { Method = MiningMethod.Dense }, (SentenceEncoder?)null));
        Assert.False(File.Exists(output));
    }
}

public class HardNegativeMinerKeepTests
{
    [Fact]
    public void KeepingExistingNegativesAppendsWithoutRepeatsAndOutputReadsBack()
    {
        using var d = new TempDir();
        var input = d.File("in.jsonl", string.Join("\n",
            "{\"query\":\"apple price\",\"pos\":[\"apple price rose\"],\"neg\":[\"banana price fell\"],\"neg_scores\":[0.3]}",
            "{\"query\":\"banana price\",\"pos\":[\"banana price fell\"]}",
            "{\"query\":\"cherry price\",\"pos\":[\"cherry price flat\"]}",
            "{\"query\":\"grape price\",\"pos\":[\"grape price up\"]}"));
        var output = d.File("out.jsonl");
        HardNegativeMiner.Mine(input, output, new MiningOptions { KeepExistingNegatives = true, NumNegatives = 2 }, (SentenceEncoder?)null);
        var rows = TrainingDataReader.Read(output).ToList();   // would throw if neg_scores no longer matched neg
        Assert.Equal("banana price fell", rows[0].Neg[0]);
        Assert.Equal(3, rows[0].Neg.Count);
        Assert.Equal(rows[0].Neg.Count, rows[0].Neg.Distinct().Count());
        Assert.Null(rows[0].NegScores);
        Assert.Equal("given", rows[0].Extra!["neg_meta"][0].GetProperty("method").GetString());
    }

    [Fact]
    public void ShortRowsAreCountedByCause()
    {
        // ten passages; row 1 matches only two of them (window), row 2 is filtered by max-score, row 3 by margin
        var corpus = new[] { "alpha beta", "alpha gamma", "delta one", "delta two", "delta three", "delta four", "omega x", "omega y", "omega z", "omega w" };
        var rows = new List<TrainingExample>
        {
            new() { Query = "alpha", Pos = { "alpha positive" }, Line = 1 },
            new() { Query = "delta", Pos = { "delta positive" }, Line = 2 },
            new() { Query = "omega", Pos = { "omega omega omega" }, Line = 3 },
        };
        var mc = new MiningCorpus();
        foreach (var t in corpus) mc.Add(t);
        var mined = HardNegativeMiner.Mine(rows, new MiningOptions { NumNegatives = 3 }, out var plain, null, mc);
        Assert.Equal(2, mined[0].Neg.Count);
        Assert.Equal(1, plain.RowsWithFewerNegatives);
        Assert.Equal(1, plain.ShortRowsByCause["window"]);
        var first = Assert.Single(plain.ShortRows);
        Assert.Equal((1, 2, 2, "window"), (first.Line, first.Negatives, first.WindowCandidates, string.Join(",", first.Causes)));

        HardNegativeMiner.Mine(rows, new MiningOptions { NumNegatives = 3, MaxScore = 0f }, out var capped, null, mc);
        Assert.Equal(3, capped.RowsWithFewerNegatives);
        Assert.Equal(3, capped.ShortRowsByCause["max_score"]);
        Assert.Equal(0, capped.RowsWithAllNegatives);

        HardNegativeMiner.Mine(rows, new MiningOptions { NumNegatives = 3, RelativeMargin = 0.99f }, out var margin, null, mc);
        Assert.Equal(3, margin.ShortRowsByCause["margin"]);
        Assert.Equal(margin.RowsWithFewerNegatives, margin.ShortRows.Count);
    }
}
