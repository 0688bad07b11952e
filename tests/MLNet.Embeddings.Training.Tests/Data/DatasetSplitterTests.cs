using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Tests.Data;

public class DatasetSplitterTests
{
    private static List<TrainingExample> Financial()
    {
        var rep = new ImportReport();
        return DatasetImporter.ReadRows(SharedData.Path("financial-qa-10k/Financial-QA-10k.csv"),
            new ImportOptions { QueryColumn = "question", PosColumns = ["context"] }, rep).ToList();
    }

    [Fact]
    public void FinancialQaSplitHasNoSharedOrNearDuplicateTextAcrossSplits()
    {
        var rows = Financial();
        using var d = new TempDir();
        var input = d.File("all.jsonl");
        TrainingDataWriter.WriteAll(input, rows);
        var report = DatasetSplitter.Split(input, Path.Combine(d.Path, "out"), new SplitOptions { Seed = 1 });
        Assert.Equal(3, report.Files.Count);
        Assert.Equal(rows.Count, report.Rows.Sum());
        Assert.InRange(report.Rows[0], (long)(rows.Count * 0.78), (long)(rows.Count * 0.82));
        Assert.InRange(report.Rows[1], (long)(rows.Count * 0.08), (long)(rows.Count * 0.12));
        Assert.True(report.Groups < rows.Count, "financial-qa shares contexts between questions, so some rows must be grouped");

        // independent exact check
        var keys = report.Files.Select(f => TrainingDataReader.Read(f).SelectMany(r => r.Pos.Append(r.Query)).Select(TextNormalizer.Key).ToHashSet()).ToList();
        for (int a = 0; a < 3; a++)
            for (int b = a + 1; b < 3; b++)
                Assert.Empty(keys[a].Intersect(keys[b]));
        var leak = LeakageChecker.Check(report.Files);
        Assert.True(leak.Clean, string.Join("; ", leak.Pairs.Select(p => $"{p.A}/{p.B}: {p.ExactOverlap} exact, {p.NearDuplicateOverlap} near")));
    }

    [Fact]
    public void SameSeedSameSplitAndStratifiesByType()
    {
        var rows = Enumerable.Range(0, 600).Select(i => new TrainingExample
        {
            Query = $"question number {i} about topic {i * 7919 % 1000}", Pos = [$"answer text {i} {i * 31 % 977} unique"], Type = i % 3 == 0 ? "sts" : "qa",
        }).ToList();
        var a = DatasetSplitter.Split(rows, new SplitOptions { Seed = 3, StratifyByType = true }, out var ra);
        var b = DatasetSplitter.Split(rows, new SplitOptions { Seed = 3, StratifyByType = true }, out _);
        var c = DatasetSplitter.Split(rows, new SplitOptions { Seed = 4, StratifyByType = true }, out _);
        Assert.Equal(a[1].Select(r => r.Query), b[1].Select(r => r.Query));
        Assert.NotEqual(a[1].Select(r => r.Query), c[1].Select(r => r.Query));
        Assert.Equal([160L, 20L, 20L], ra.RowsByType["sts"]);
        Assert.Equal([320L, 40L, 40L], ra.RowsByType["qa"]);
        Assert.Equal(20, a[2].Count(r => r.Type == "sts"));
    }

    [Fact]
    public void RowsSharingAPositiveOrNearDuplicateStayTogether()
    {
        var rows = new List<TrainingExample>();
        for (int i = 0; i < 200; i++) rows.Add(new TrainingExample { Query = $"q{i} distinct words {i}", Pos = [$"passage {i} with its own content number {i}"] });
        rows.Add(new TrainingExample { Query = "another question", Pos = ["passage 5 with its own content number 5"] });           // exact share with row 5
        rows.Add(new TrainingExample { Query = "a different query", Pos = ["Passage 9 with its own content number 9!"] });          // near duplicate of row 9
        var splits = DatasetSplitter.Split(rows, new SplitOptions { Seed = 2 }, out var rep);
        int SplitOf(string q) => splits.FindIndex(s => s.Any(r => r.Query == q));
        Assert.Equal(SplitOf("q5 distinct words 5"), SplitOf("another question"));
        Assert.Equal(SplitOf("q9 distinct words 9"), SplitOf("a different query"));
        Assert.True(rep.NearDuplicateLinks >= 1);
    }

    [Theory]
    [InlineData(new[] { 0.8, 0.5, 0.1 }, "sum 1.4")]
    [InlineData(new[] { 0.8, 0.2, 0.1 }, "sum 1.1")]
    [InlineData(new[] { 0.5, 0.1, 0.1 }, "sum 0.7")]
    [InlineData(new[] { 0.9, 0.1, 0.0 }, "positive")]
    [InlineData(new[] { 1.2, -0.1, -0.1 }, "positive")]
    public void RatiosMustBePositiveAndSumToOne(double[] ratios, string expected)
    {
        var rows = Enumerable.Range(0, 20).Select(i => new TrainingExample { Query = $"q{i}", Pos = { $"p{i}" } }).ToList();
        var ex = Assert.Throws<ConfigurationException>(() => DatasetSplitter.Split(rows, new SplitOptions { Ratios = ratios }, out _));
        Assert.Equal("Ratios", ex.Setting);
        Assert.Contains(expected, ex.Message);
        DatasetSplitter.CheckRatios([0.8, 0.1, 0.1]);
        DatasetSplitter.CheckRatios([0.7, 0.3]);
        DatasetSplitter.CheckRatios([1.0 / 3, 1.0 / 3, 1.0 / 3]);
    }

    [Fact]
    public void AnEmptyFileIsAnErrorAndWritesNothing()
    {
        using var d = new TempDir();
        var input = d.File("empty.jsonl", "");
        var ex = Assert.Throws<DatasetFormatException>(() => DatasetSplitter.Split(input, Path.Combine(d.Path, "out")));
        Assert.Equal(input, ex.Path);
        Assert.Contains("found none", ex.Message);
        Assert.False(Directory.Exists(Path.Combine(d.Path, "out")));
    }
}
