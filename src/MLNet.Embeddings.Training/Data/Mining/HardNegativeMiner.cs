using System.Numerics.Tensors;
using System.Text.Json;

namespace MLNet.Embeddings.Training.Data.Mining;

/// <summary>
/// Mines hard negatives for every row: BM25 over the corpus, exact dense top-k with a <see cref="SentenceEncoder"/>
/// (cosine on normalised vectors), or hybrid (BM25 candidates re-ranked by the encoder). Never returns the query or
/// a positive of the row as a negative. Options follow sentence-transformers' <c>mine_hard_negatives</c> and
/// FlagEmbedding's <c>hn_mine</c> (see <see cref="MiningOptions"/>). Each mined negative's method, rank and score go to
/// the row's <c>"neg_meta"</c> field; with <see cref="MiningOptions.TeacherScores"/>, cosine scores from the encoder
/// go to <c>pos_scores</c> / <c>neg_scores</c>.
/// </summary>
public static class HardNegativeMiner
{
    /// <summary>
    /// Mines <paramref name="inputPath"/> into <paramref name="outputPath"/> (written atomically), chunk by chunk.
    /// The corpus is <paramref name="corpusPath"/> if given, else the positives of the input (one extra pass).
    /// </summary>
    public static MiningSummary Mine(string inputPath, string outputPath, MiningOptions options, SentenceEncoder? encoder = null,
        string? corpusPath = null, CancellationToken cancellationToken = default)
        => Mine(inputPath, outputPath, options, EmbedderFor(encoder, options, cancellationToken), corpusPath, cancellationToken);

    /// <summary>
    /// Mines <paramref name="inputPath"/> into <paramref name="outputPath"/> with any embedding generator (a remote API)
    /// for the dense part and the teacher scores; <see cref="MiningOptions.EncodeOptions"/> apply as
    /// <see cref="EmbeddingFunctions.FromGenerator"/> describes.
    /// </summary>
    public static MiningSummary Mine(string inputPath, string outputPath, MiningOptions options,
        Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> generator, string? corpusPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return Mine(inputPath, outputPath, options, EmbeddingFunctions.FromGenerator(generator, options.EncodeOptions, cancellationToken), corpusPath, cancellationToken);
    }

    /// <summary>Mines rows in memory; returns new rows (inputs are not modified) and fills <paramref name="summary"/>.</summary>
    public static List<TrainingExample> Mine(IReadOnlyList<TrainingExample> rows, MiningOptions options, out MiningSummary summary,
        SentenceEncoder? encoder = null, MiningCorpus? corpus = null, CancellationToken cancellationToken = default)
        => Mine(rows, options, out summary, EmbedderFor(encoder, options, cancellationToken), corpus, cancellationToken);

    internal static Func<IReadOnlyList<string>, float[][]>? EmbedderFor(SentenceEncoder? encoder, MiningOptions options, CancellationToken ct) =>
        encoder is null ? null : texts => encoder.Encode(texts, options.EncodeOptions, ct);

    internal static MiningSummary Mine(string inputPath, string outputPath, MiningOptions options, Func<IReadOnlyList<string>, float[][]>? embed,
        string? corpusPath, CancellationToken cancellationToken)
    {
        options.Check();
        var corpus = corpusPath is null ? MiningCorpus.FromPositives(TrainingDataReader.Read(inputPath)) : MiningCorpus.Load(corpusPath);
        var session = new Session(options, corpus, embed, cancellationToken);
        using var w = new TrainingDataWriter(outputPath);
        var chunk = new List<TrainingExample>(options.ChunkSize);
        long index = 0;
        foreach (var row in TrainingDataReader.Read(inputPath))
        {
            chunk.Add(row);
            if (chunk.Count == options.ChunkSize) { Flush(); }
        }
        Flush();
        w.Commit();
        return session.Finish();

        void Flush()
        {
            if (chunk.Count == 0) return;
            foreach (var r in session.MineChunk(chunk, index)) w.Write(r);
            index += chunk.Count;
            chunk.Clear();
            options.Progress?.Report(index);
        }
    }

    internal static List<TrainingExample> Mine(IReadOnlyList<TrainingExample> rows, MiningOptions options, out MiningSummary summary,
        Func<IReadOnlyList<string>, float[][]>? embed, MiningCorpus? corpus, CancellationToken cancellationToken)
    {
        options.Check();
        corpus ??= MiningCorpus.FromPositives(rows);
        var session = new Session(options, corpus, embed, cancellationToken);
        var result = new List<TrainingExample>(rows.Count);
        for (int start = 0; start < rows.Count; start += options.ChunkSize)
        {
            var chunk = new List<TrainingExample>();
            for (int i = start; i < Math.Min(rows.Count, start + options.ChunkSize); i++) chunk.Add(rows[i]);
            result.AddRange(session.MineChunk(chunk, start));
            options.Progress?.Report(result.Count);
        }
        summary = session.Finish();
        return result;
    }

    /// <summary>State shared across chunks: the index or corpus vectors, and the running summary.</summary>
    private sealed class Session
    {
        private readonly MiningOptions _o;
        private readonly MiningCorpus _corpus;
        private readonly Func<IReadOnlyList<string>, float[][]>? _embed;
        private readonly CancellationToken _ct;
        private readonly Bm25Index? _bm25;
        private readonly float[]?[] _vectors;    // normalised corpus vectors (dense: all; hybrid: filled lazily)
        private readonly MiningSummary _summary = new();
        private readonly List<float> _negScores = new();
        private readonly List<(long Index, ShortRow Row)> _shortRows = new();
        private double _posScoreSum;
        private readonly object _lock = new();

        public Session(MiningOptions o, MiningCorpus corpus, Func<IReadOnlyList<string>, float[][]>? embed, CancellationToken ct)
        {
            _o = o; _corpus = corpus; _embed = embed; _ct = ct;
            _summary.Method = o.Method.ToString().ToLowerInvariant();
            _summary.CorpusSize = corpus.Count;
            if (o.Method != MiningMethod.Bm25 && embed is null)
                throw new ArgumentException($"{o.Method} mining needs a model (encoder)");
            if (o.TeacherScores && embed is null)
                throw new ArgumentException("teacher scores need a model (encoder)");
            if (o.Method != MiningMethod.Dense) _bm25 = new Bm25Index(corpus.Texts, o.Bm25, ct);
            _vectors = new float[]?[corpus.Count];
            if (o.Method == MiningMethod.Dense) EnsureVectors(Enumerable.Range(0, corpus.Count));
        }

        private void EnsureVectors(IEnumerable<int> ids)
        {
            var missing = ids.Where(i => _vectors[i] is null).Distinct().ToList();
            const int block = 4096;
            for (int s = 0; s < missing.Count; s += block)
            {
                _ct.ThrowIfCancellationRequested();
                var part = missing.GetRange(s, Math.Min(block, missing.Count - s));
                var vecs = Embed(part.Select(i => _corpus.Texts[i]).ToList());
                for (int k = 0; k < part.Count; k++) _vectors[part[k]] = vecs[k];
            }
        }

        private float[][] Embed(IReadOnlyList<string> texts)
        {
            var v = _embed!(texts);
            if (v.Length != texts.Count) throw new InvalidOperationException($"the encoder returned {v.Length} vectors for {texts.Count} texts");
            foreach (var x in v) Normalize(x);
            return v;
        }

        private static void Normalize(float[] x)
        {
            float n = TensorPrimitives.Norm(x);
            if (n > 0) TensorPrimitives.Divide(x, n, x);
        }

        private string QueryText(TrainingExample r) => _o.UseRowPrompt && r.Prompt is not null ? r.Prompt + r.Query : r.Query;

        public List<TrainingExample> MineChunk(List<TrainingExample> chunk, long firstIndex)
        {
            int n = chunk.Count;
            float[][]? qv = null;
            float[][][]? posVecs = null;
            bool needModel = _o.Method != MiningMethod.Bm25 || _o.TeacherScores;
            if (needModel)
            {
                qv = Embed(chunk.Select(QueryText).ToList());
                // positives: reuse corpus vectors when the positive is in the corpus
                var posIds = chunk.Select(r => r.Pos.Select(_corpus.Find).ToArray()).ToArray();
                EnsureVectors(posIds.SelectMany(x => x).Where(i => i >= 0));
                var outside = chunk.SelectMany((r, i) => r.Pos.Where((p, j) => posIds[i][j] < 0)).ToList();
                var outsideVecs = outside.Count > 0 ? Embed(outside) : [];
                int o = 0;
                posVecs = new float[n][][];
                for (int i = 0; i < n; i++)
                {
                    posVecs[i] = new float[chunk[i].Pos.Count][];
                    for (int j = 0; j < chunk[i].Pos.Count; j++)
                        posVecs[i][j] = posIds[i][j] >= 0 ? _vectors[posIds[i][j]]! : outsideVecs[o++];
                }
            }
            // candidate lists per row
            var cands = new List<(int Id, float Score)>[n];
            var excluded = new HashSet<ulong>[n];
            for (int i = 0; i < n; i++) excluded[i] = Exclusions(chunk[i]);
            var po = new ParallelOptions { CancellationToken = _ct, MaxDegreeOfParallelism = _o.Threads ?? Environment.ProcessorCount };
            if (_o.Method == MiningMethod.Dense)
            {
                Parallel.For(0, n, po, () => (TopK?)null, (i, _, heap) =>
                {
                    int k = _o.RangeMax + excluded[i].Count;
                    heap ??= new TopK(k);
                    heap.Reset(k);
                    var q = qv![i];
                    for (int d = 0; d < _vectors.Length; d++) heap.Add(TensorPrimitives.Dot(q, _vectors[d]!), d);
                    cands[i] = heap.Sorted();
                    return heap;
                }, _ => { });
            }
            else
            {
                int pool = _o.Method == MiningMethod.Hybrid ? Math.Max(_o.HybridCandidates, _o.RangeMax) : _o.RangeMax;
                Parallel.For(0, n, po, () => (Bm25Index.SearchBuffer?)null, (i, _, buf) =>
                {
                    int k = pool + excluded[i].Count;
                    buf ??= new Bm25Index.SearchBuffer(_corpus.Count, k);
                    buf.Heap.Reset(k);
                    cands[i] = _bm25!.Search(chunk[i].Query, buf);
                    return buf;
                }, _ => { });
                if (_o.Method == MiningMethod.Hybrid)
                {
                    EnsureVectors(cands.SelectMany(c => c.Select(x => x.Id)));
                    Parallel.For(0, n, po, i =>
                    {
                        var rescored = cands[i].Select(c => (c.Id, Score: TensorPrimitives.Dot(qv![i], _vectors[c.Id]!))).ToList();
                        rescored.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Id.CompareTo(b.Id));
                        cands[i] = rescored;
                    });
                }
            }
            var result = new TrainingExample[n];
            Parallel.For(0, n, po, i => result[i] = Select(chunk[i], firstIndex + i, cands[i], excluded[i], qv?[i], posVecs?[i]));
            if (_o.TeacherScores) AddTeacherScores(result, qv!, posVecs!);
            return result.ToList();
        }

        /// <summary>pos_scores / neg_scores = cosine(query, text) under the encoder, for every positive and negative.</summary>
        private void AddTeacherScores(TrainingExample[] rows, float[][] qv, float[][][] posVecs)
        {
            var negIds = rows.Select(r => r.Neg.Select(_corpus.Find).ToArray()).ToArray();
            EnsureVectors(negIds.SelectMany(x => x).Where(i => i >= 0));
            var outside = rows.SelectMany((r, i) => r.Neg.Where((t, k) => negIds[i][k] < 0)).ToList();
            var ov = outside.Count > 0 ? Embed(outside) : [];
            int o = 0;
            for (int i = 0; i < rows.Length; i++)
            {
                var q = qv[i];
                rows[i].PosScores = posVecs[i].Select(p => TensorPrimitives.Dot(q, p)).ToList();
                rows[i].NegScores = new List<float>(rows[i].Neg.Count);
                for (int k = 0; k < rows[i].Neg.Count; k++)
                    rows[i].NegScores!.Add(TensorPrimitives.Dot(q, negIds[i][k] >= 0 ? _vectors[negIds[i][k]]! : ov[o++]));
            }
        }

        private HashSet<ulong> Exclusions(TrainingExample r)
        {
            var set = new HashSet<ulong> { MiningCorpus.KeyHash(r.Query) };
            foreach (var p in r.Pos) set.Add(MiningCorpus.KeyHash(p));
            if (_o.KeepExistingNegatives) foreach (var x in r.Neg) set.Add(MiningCorpus.KeyHash(x));
            return set;
        }

        private float PositiveScore(TrainingExample r, float[]? q, float[][]? pv)
        {
            float min = float.PositiveInfinity;
            for (int j = 0; j < r.Pos.Count; j++)
            {
                float s = _o.Method == MiningMethod.Bm25 ? _bm25!.ScoreText(r.Query, r.Pos[j]) : TensorPrimitives.Dot(q!, pv![j]);
                min = Math.Min(min, s);
            }
            return min;
        }

        private TrainingExample Select(TrainingExample r, long rowIndex, List<(int Id, float Score)> cands, HashSet<ulong> excluded, float[]? q, float[][]? pv)
        {
            float posScore = PositiveScore(r, q, pv);
            long removed = 0, byMax = 0, byMargin = 0;
            var window = new List<(int Id, float Score, int Rank)>();
            int rank = 0, inWindow = 0;
            foreach (var (id, score) in cands)
            {
                if (excluded.Contains(_corpus.KeyOf(id))) { removed++; continue; }
                rank++;
                if (rank <= _o.RangeMin) continue;
                if (rank > _o.RangeMax) break;
                inWindow++;
                if (_o.MaxScore is { } cap && score > cap) { byMax++; continue; }
                if ((_o.RelativeMargin is { } rm && score > posScore * (1 - rm)) || (_o.AbsoluteMargin is { } am && score > posScore - am)) { byMargin++; continue; }
                window.Add((id, score, rank));
            }
            List<(int Id, float Score, int Rank)> picked;
            if (_o.Sampling == SamplingStrategy.Top || window.Count <= _o.NumNegatives)
                picked = window.Take(_o.NumNegatives).ToList();
            else
            {
                var rng = new Random(HashCode.Combine(_o.Seed, rowIndex));
                var arr = window.ToArray();
                for (int i = 0; i < _o.NumNegatives; i++) { int j = rng.Next(i, arr.Length); (arr[i], arr[j]) = (arr[j], arr[i]); }
                picked = arr.Take(_o.NumNegatives).OrderBy(x => x.Rank).ToList();
            }
            var outRow = new TrainingExample
            {
                Query = r.Query, Pos = new List<string>(r.Pos), Prompt = r.Prompt, Type = r.Type, Score = r.Score, Label = r.Label, Line = r.Line,
                PosScores = r.PosScores, Extra = r.Extra is null ? null : new Dictionary<string, JsonElement>(r.Extra),
            };
            var meta = new List<object>();
            if (_o.KeepExistingNegatives)
            {
                outRow.Neg.AddRange(r.Neg);
                outRow.NegScores = r.NegScores is null ? null : new List<float>(r.NegScores);
                foreach (var _ in r.Neg) meta.Add(new Dictionary<string, object> { ["method"] = "given" });
            }
            string method = _summary.Method;
            foreach (var (id, score, rk) in picked)
            {
                outRow.Neg.Add(_corpus.Texts[id]);
                meta.Add(new Dictionary<string, object> { ["method"] = method, ["rank"] = rk, ["score"] = Math.Round(score, 6) });
            }
            if (_o.WriteProvenance && meta.Count > 0)
            {
                outRow.Extra ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                outRow.Extra["neg_meta"] = JsonSerializer.SerializeToElement(meta);
            }
            // without teacher scores, old neg_scores only stay valid when no negative was added
            if (!_o.TeacherScores && (!_o.KeepExistingNegatives || picked.Count > 0)) outRow.NegScores = null;
            lock (_lock)
            {
                _summary.Rows++;
                if (picked.Count >= _o.NumNegatives) _summary.RowsWithAllNegatives++;
                else
                {
                    _summary.RowsWithFewerNegatives++;
                    var causes = new List<string>();
                    if (inWindow < _o.NumNegatives) causes.Add("window");
                    if (byMax > 0) causes.Add("max_score");
                    if (byMargin > 0) causes.Add("margin");
                    foreach (var c in causes) _summary.ShortRowsByCause[c] = _summary.ShortRowsByCause.GetValueOrDefault(c) + 1;
                    _shortRows.Add((rowIndex, new ShortRow(r.Line, picked.Count, inWindow, causes)));
                }
                _summary.NegativesPerRow[picked.Count] = _summary.NegativesPerRow.GetValueOrDefault(picked.Count) + 1;
                _summary.RemovedPositives += removed;
                _summary.SkippedByMaxScore += byMax;
                _summary.SkippedByMargin += byMargin;
                _posScoreSum += posScore;
                foreach (var p in picked) _negScores.Add(p.Score);
            }
            return outRow;
        }

        public MiningSummary Finish()
        {
            var s = _summary;
            s.ShortRows.AddRange(_shortRows.OrderBy(x => x.Index).Take(20).Select(x => x.Row));
            s.MeanPositiveScore = s.Rows == 0 ? 0 : Math.Round(_posScoreSum / s.Rows, 6);
            s.MeanNegativeScore = _negScores.Count == 0 ? 0 : Math.Round(_negScores.Average(), 6);
            if (_negScores.Count > 0)
            {
                double lo = _negScores.Min(), hi = _negScores.Max(), width = (hi - lo) / 10;
                var counts = new long[10];
                foreach (var v in _negScores) counts[width == 0 ? 0 : Math.Min(9, (int)((v - lo) / width))]++;
                for (int b = 0; b < 10; b++)
                    s.ScoreHistogram.Add(new HistogramBin(Math.Round(lo + b * width, 6), Math.Round(b == 9 ? hi : lo + (b + 1) * width, 6), counts[b]));
            }
            return s;
        }
    }
}
