using BenchmarkDotNet.Attributes;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Data.Mining;

namespace MLNet.Embeddings.Benchmarks.Data;

/// <summary>
/// BM25 over 100,000 passages synthesised from financial-qa-10k contexts (2–4 random sentences each, seeded),
/// queried with the data set's questions. Run:
/// <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*Bm25Mining*' --job short</c>
/// </summary>
[MemoryDiagnoser]
public class Bm25MiningBenchmark
{
    private List<string> _passages = new();
    private List<TrainingExample> _rows = new();
    private Bm25Index _index = null!;
    private MiningCorpus _corpus = null!;

    /// <summary>Passages in the corpus.</summary>
    [Params(100_000)]
    public int Passages { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var csv = FindShared("financial-qa-10k/Financial-QA-10k.csv");
        var report = new ImportReport();
        var source = DatasetImporter.ReadRows(csv, new ImportOptions { QueryColumn = "question", PosColumns = ["context"] }, report).ToList();
        var sentences = source.SelectMany(r => r.Pos[0].Split(". ", StringSplitOptions.RemoveEmptyEntries)).Distinct().ToArray();
        var rng = new Random(1);
        _passages = new List<string>(Passages);
        _corpus = new MiningCorpus();
        while (_corpus.Count < Passages)
        {
            int n = rng.Next(2, 5);
            _corpus.Add(string.Join(". ", Enumerable.Range(0, n).Select(_ => sentences[rng.Next(sentences.Length)])) + ".");
        }
        _passages = _corpus.Texts.ToList();
        // 1,000 questions whose positive is a passage of the corpus
        _rows = source.Take(1000).Select((r, i) => new TrainingExample { Query = r.Query, Pos = [_passages[i * 97 % _passages.Count]] }).ToList();
        _index = new Bm25Index(_passages);
        Console.Error.WriteLine($"corpus {_index.Count} passages, {_index.Terms} terms, avgdl {_index.AverageLength:F1}");
    }

    /// <summary>Building the inverted index over all passages.</summary>
    [Benchmark]
    public int BuildIndex() => new Bm25Index(_passages).Terms;

    /// <summary>Top-100 search for 1,000 queries, one thread.</summary>
    [Benchmark]
    public int Search1000Queries()
    {
        var buf = new Bm25Index.SearchBuffer(_index.Count, 100);
        int sum = 0;
        foreach (var r in _rows) sum += _index.Search(r.Query, buf).Count;
        return sum;
    }

    /// <summary>Full mining of 1,000 rows (index build, top-100, 10 negatives with window 10–100, all threads).</summary>
    [Benchmark]
    public int Mine1000Rows() =>
        HardNegativeMiner.Mine(_rows, new MiningOptions { NumNegatives = 10, RangeMin = 10, RangeMax = 100 }, out _, (Func<IReadOnlyList<string>, float[][]>?)null, _corpus, default).Count;

    internal static string FindShared(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MLNet.Embeddings.sln"))) dir = dir.Parent;
        var p = dir is null ? relative : Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", relative));
        if (!File.Exists(p)) throw new FileNotFoundException($"shared data file missing: {p}");
        return p;
    }
}
