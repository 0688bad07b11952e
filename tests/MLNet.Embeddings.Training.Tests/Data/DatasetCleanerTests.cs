using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Tests.Data;

public class DatasetCleanerTests
{
    [Fact]
    public void NormalizesHtmlEntitiesUnicodeAndWhitespace()
    {
        var o = new CleanOptions();
        Assert.Equal("Tom & Jerry > cats", TextNormalizer.Normalize("<p>Tom &amp; <b>Jerry</b></p>\n\t&gt;  cats<script>x()</script>", o));
        Assert.Equal("ABC 123 fi", TextNormalizer.Normalize("ＡＢＣ　１２３ ﬁ", o));   // full-width + ligature via NFKC
        Assert.Equal("a < b", TextNormalizer.Normalize("a < b", o));                   // a lone '<' is not a tag
        Assert.Equal("hello world", TextNormalizer.Normalize(" Hello\u200B  WORLD ", new CleanOptions { Lowercase = true }));
    }

    [Fact]
    public void DropsEmptyExactAndNearDuplicatesWithLines()
    {
        using var d = new TempDir();
        var f = d.File("in.jsonl", string.Join("\n",
            "{\"query\":\"What was the revenue of Acme in fiscal year 2023?\",\"pos\":[\"Acme reported revenue of $1.2 billion in fiscal 2023.\"]}",
            "{\"query\":\"<b>How</b> many employees does Acme have?\",\"pos\":[\"Acme had 5,000 employees.\"],\"neg\":[\"<br>\"]}",
            "{\"query\":\"what was the  revenue of ACME in fiscal year 2023?\",\"pos\":[\"Acme reported revenue of $1.2 billion in fiscal 2023.\"]}",
            "{\"query\":\"What was the revenue of Acme in fiscal year 2023 ?\",\"pos\":[\"Acme reported revenue of $1.2 billion in fiscal 2023\"]}",
            "{\"query\":\"<br/>\",\"pos\":[\"x\"]}",
            "{\"query\":\"Who is the CEO of Acme?\",\"pos\":[\"Jane Doe is the CEO.\"]}"));
        var o = d.File("out.jsonl");
        var r = DatasetCleaner.Clean(f, o);
        Assert.Equal(6, r.RowsRead);
        Assert.Equal(3, r.RowsWritten);
        Assert.Contains(new DroppedRow(3, "exact-duplicate", 1), r.Dropped);
        var near = Assert.Single(r.Dropped, x => x.Reason == "near-duplicate");
        Assert.Equal(4, near.Line);
        Assert.Equal(1, near.DuplicateOfLine);
        Assert.Contains(new DroppedRow(5, "empty"), r.Dropped);
        Assert.Equal(1, r.EmptyNegativesRemoved);
        var rows = TrainingDataReader.Read(o).ToList();
        Assert.Equal("How many employees does Acme have?", rows[1].Query);
        Assert.Empty(rows[1].Neg);
        Assert.Equal("Who is the CEO of Acme?", rows[2].Query);
    }

    [Fact]
    public void MinHashEstimateTracksExactJaccard()
    {
        var idx = new NearDuplicateIndex(new NearDuplicateOptions { Bands = 64, RowsPerBand = 4 });
        var rng = new Random(1);
        string[] words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"];
        for (int t = 0; t < 30; t++)
        {
            var a = string.Join(' ', Enumerable.Range(0, 30).Select(_ => words[rng.Next(words.Length)]));
            var chars = a.ToCharArray();
            for (int k = 0; k < rng.Next(0, 20); k++) chars[rng.Next(chars.Length)] = 'x';
            var b = new string(chars);
            double exact = idx.ExactJaccard(a, b);
            double est = NearDuplicateIndex.Similarity(idx.Signature(a), idx.Signature(b));
            Assert.InRange(est - exact, -0.15, 0.15);   // 256 hashes: standard error ≤ 0.032
        }
    }

    [Fact]
    public void AnEmptyFileOrOneWhereEveryRowIsDroppedIsAnErrorAndWritesNothing()
    {
        using var d = new TempDir();
        var empty = d.File("empty.jsonl", "\n");
        var ex = Assert.Throws<DatasetFormatException>(() => DatasetCleaner.Clean(empty, d.File("out.jsonl")));
        Assert.Contains("found none", ex.Message);
        var allEmpty = d.File("blank.jsonl", "{\"query\":\"<b></b>\",\"pos\":[\"x\"]}\n");
        ex = Assert.Throws<DatasetFormatException>(() => DatasetCleaner.Clean(allEmpty, d.File("out.jsonl")));
        Assert.Contains("every one of the 1 rows was dropped (empty 1)", ex.Message);
        Assert.False(File.Exists(d.File("out.jsonl")));
        Assert.Empty(Directory.GetFiles(d.Path, "*.tmp"));
    }
}
