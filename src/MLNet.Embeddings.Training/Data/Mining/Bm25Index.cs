namespace MLNet.Embeddings.Training.Data.Mining;

/// <summary>
/// An in-memory Okapi BM25 index: an inverted index (per term, the documents and term frequencies, stored
/// contiguously) and term-at-a-time scoring into a reused accumulator, with a top-k heap over the touched
/// documents. Score of document d for query q:
/// <c>Σ_{t ∈ q} idf(t) · tf(t,d)·(k1+1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl))</c>,
/// with <c>idf(t) = ln(1 + (N − df(t) + 0.5)/(df(t) + 0.5))</c> (Lucene's, never negative). A term repeated in the
/// query counts once per occurrence. Thread-safe for concurrent searches.
/// </summary>
public sealed class Bm25Index
{
    private readonly Dictionary<string, int> _vocab;
    private readonly int[] _offsets;      // term → start in _docs/_tf (length terms + 1)
    private readonly int[] _docs;
    private readonly float[] _tf;
    private readonly float[] _idf;
    private readonly float[] _norm;       // k1 · (1 − b + b·|d|/avgdl)
    private readonly int[] _docLength;

    /// <summary>Indexes <paramref name="documents"/>; document ids are their positions.</summary>
    public Bm25Index(IReadOnlyList<string> documents, Bm25Options? options = null, CancellationToken cancellationToken = default)
    {
        Options = options ?? new Bm25Options();
        Analyzer = new TextAnalyzer(Options.RemoveStopWords);
        _vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        int n = documents.Count;
        _docLength = new int[n];
        var docTerms = new int[n][];
        var docTf = new int[n][];
        var df = new List<int>();
        var counts = new Dictionary<int, int>();
        long total = 0;
        var lookup = _vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        for (int d = 0; d < n; d++)
        {
            if ((d & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            counts.Clear();
            int length = 0;
            Analyzer.ForEachTerm(documents[d], t =>
            {
                if (!lookup.TryGetValue(t, out int id)) { id = _vocab.Count; lookup[t] = id; df.Add(0); }
                counts[id] = counts.GetValueOrDefault(id) + 1;
                length++;
            });
            _docLength[d] = length;
            total += length;
            docTerms[d] = new int[counts.Count];
            docTf[d] = new int[counts.Count];
            int k = 0;
            foreach (var (id, c) in counts) { docTerms[d][k] = id; docTf[d][k] = c; k++; df[id]++; }
        }
        int v = _vocab.Count;
        _offsets = new int[v + 1];
        for (int t = 0; t < v; t++) _offsets[t + 1] = _offsets[t] + df[t];
        _docs = new int[_offsets[v]];
        _tf = new float[_offsets[v]];
        var fill = (int[])_offsets.Clone();
        for (int d = 0; d < n; d++)
            for (int k = 0; k < docTerms[d].Length; k++)
            {
                int t = docTerms[d][k];
                int at = fill[t]++;
                _docs[at] = d;
                _tf[at] = docTf[d][k];
            }
        _idf = new float[v];
        for (int t = 0; t < v; t++) _idf[t] = Idf(n, df[t]);
        AverageLength = n == 0 ? 0 : (double)total / n;
        _norm = new float[n];
        for (int d = 0; d < n; d++) _norm[d] = NormOf(_docLength[d]);
        Count = n;
    }

    /// <summary>The parameters.</summary>
    public Bm25Options Options { get; }
    /// <summary>The analyzer used for documents and queries.</summary>
    public TextAnalyzer Analyzer { get; }
    /// <summary>Number of documents.</summary>
    public int Count { get; }
    /// <summary>Number of distinct terms.</summary>
    public int Terms => _vocab.Count;
    /// <summary>Mean document length in terms (avgdl).</summary>
    public double AverageLength { get; }

    /// <summary>idf(t) = ln(1 + (N − df + 0.5)/(df + 0.5)).</summary>
    public static float Idf(int documentCount, int documentFrequency) =>
        (float)Math.Log(1 + (documentCount - documentFrequency + 0.5) / (documentFrequency + 0.5));

    private float NormOf(int length) =>
        Options.K1 * (float)(1 - Options.B + Options.B * (AverageLength == 0 ? 1 : length / AverageLength));

    /// <summary>The BM25 score of every document for <paramref name="query"/> (for tests and small corpora).</summary>
    public float[] ScoreAll(string query)
    {
        var acc = new float[Count];
        Accumulate(query, acc, null);
        return acc;
    }

    /// <summary>The BM25 score of an arbitrary text (not necessarily indexed) for <paramref name="query"/>, using this index's statistics.</summary>
    public float ScoreText(string query, string text)
    {
        var doc = new Dictionary<string, int>(StringComparer.Ordinal);
        var terms = Analyzer.Analyze(text);
        foreach (var t in terms) doc[t] = doc.GetValueOrDefault(t) + 1;
        float norm = NormOf(terms.Count), s = 0;
        foreach (var t in Analyzer.Analyze(query))
        {
            if (!doc.TryGetValue(t, out int tf) || !_vocab.TryGetValue(t, out int id)) continue;
            s += _idf[id] * tf * (Options.K1 + 1) / (tf + norm);
        }
        return s;
    }

    /// <summary>The <paramref name="k"/> best documents for <paramref name="query"/>, best first (ties: lower id first). Documents with score 0 are not returned.</summary>
    public List<(int Id, float Score)> Search(string query, int k)
    {
        var state = new SearchBuffer(Count, k);
        return Search(query, state);
    }

    /// <summary>Reusable per-thread buffers for <see cref="Search(string, SearchBuffer)"/>.</summary>
    public sealed class SearchBuffer
    {
        /// <summary>Creates buffers for an index of <paramref name="documents"/> documents and top-<paramref name="k"/> results.</summary>
        public SearchBuffer(int documents, int k) { Scores = new float[documents]; Heap = new TopK(k); }
        internal float[] Scores { get; }
        internal List<int> Touched { get; } = new();
        internal TopK Heap { get; }
    }

    /// <summary>Like <see cref="Search(string, int)"/> with caller-owned buffers (no allocation per document).</summary>
    public List<(int Id, float Score)> Search(string query, SearchBuffer buffer)
    {
        var acc = buffer.Scores;
        buffer.Touched.Clear();
        Accumulate(query, acc, buffer.Touched);
        var heap = buffer.Heap;
        heap.Reset(heap.K);
        foreach (int d in buffer.Touched)
        {
            heap.Add(acc[d], d);
            acc[d] = 0;
        }
        return heap.Sorted();
    }

    private void Accumulate(string query, float[] acc, List<int>? touched)
    {
        var ids = new List<int>();
        var lookup = _vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        Analyzer.ForEachTerm(query, t => { if (lookup.TryGetValue(t, out int id)) ids.Add(id); });
        float k1p1 = Options.K1 + 1;
        foreach (var id in ids)
        {
            float idf = _idf[id];
            for (int p = _offsets[id], end = _offsets[id + 1]; p < end; p++)
            {
                int d = _docs[p];
                float tf = _tf[p];
                if (touched is not null && acc[d] == 0) touched.Add(d);
                acc[d] += idf * tf * k1p1 / (tf + _norm[d]);
            }
        }
    }
}
