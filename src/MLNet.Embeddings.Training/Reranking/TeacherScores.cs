using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Reranking;

/// <summary>
/// A judge for the data pipeline: scores each row's (query, positive) and (query, negative) pairs with a teacher — a
/// cross-encoder (raw logits, as FlagEmbedding's add_reranker_score writes them) or a bi-encoder (its similarity) —
/// into <c>pos_scores</c> / <c>neg_scores</c> for MarginMSE and distillation, and drops likely false negatives
/// (sentence-transformers' mine_hard_negatives margins).
/// </summary>
public static class TeacherScores
{
    /// <summary>A scorer over a cross-encoder: the logit of the last label per pair (no activation).</summary>
    public static Func<IReadOnlyList<(string Query, string Document)>, float[]> From(ICrossEncoder model, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
        => pairs => model.PredictLogits(pairs, options, cancellationToken).Select(l => l[^1]).ToArray();

    /// <summary>A scorer over a bi-encoder: the model's similarity of query and document vectors.</summary>
    public static Func<IReadOnlyList<(string Query, string Document)>, float[]> From(SentenceEncoder model, EncodeOptions? options = null, CancellationToken cancellationToken = default)
        => pairs =>
        {
            var q = model.Encode(pairs.Select(p => p.Query).ToArray(), options, cancellationToken);
            var d = model.Encode(pairs.Select(p => p.Document).ToArray(), options, cancellationToken);
            return q.Select((v, i) => model.Similarity(v, d[i])).ToArray();
        };

    /// <summary>Sets <see cref="TrainingExample.PosScores"/> and <see cref="TrainingExample.NegScores"/> of every row (scored in chunks of rows).</summary>
    public static void Score(IReadOnlyList<TrainingExample> rows, Func<IReadOnlyList<(string Query, string Document)>, float[]> scorer,
        int rowsPerChunk = 256, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        for (int from = 0; from < rows.Count; from += rowsPerChunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = rows.Skip(from).Take(rowsPerChunk).ToList();
            var pairs = chunk.SelectMany(r => r.Pos.Concat(r.Neg).Select(t => ((r.Prompt ?? "") + r.Query, t))).ToArray();
            var scores = scorer(pairs);
            int k = 0;
            foreach (var r in chunk)
            {
                r.PosScores = scores.Skip(k).Take(r.Pos.Count).ToList(); k += r.Pos.Count;
                r.NegScores = scores.Skip(k).Take(r.Neg.Count).ToList(); k += r.Neg.Count;
            }
            progress?.Report(from + chunk.Count);
        }
    }

    /// <summary>
    /// Drops negatives the cross-encoder scores too close to the row's first positive: kept when
    /// <c>neg ≤ pos × (1 − relativeMargin)</c> and <c>neg ≤ pos − absoluteMargin</c> (each only when given), on the model's
    /// activated scores (sigmoid for one label). At most <paramref name="maxNegatives"/> survivors are kept, in order.
    /// Returns the number of negatives dropped.
    /// </summary>
    public static long FilterFalseNegatives(IReadOnlyList<TrainingExample> rows, ICrossEncoder model, float? relativeMargin, float? absoluteMargin,
        int? maxNegatives = null, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
    {
        long dropped = 0;
        var scorer = (IReadOnlyList<(string, string)> pairs) => model.Predict(pairs, options, cancellationToken);
        foreach (var chunk in rows.Chunk(256))
        {
            var pairs = chunk.Where(r => r.Pos.Count > 0).SelectMany(r => new[] { r.Pos[0] }.Concat(r.Neg).Select(t => ((r.Prompt ?? "") + r.Query, t))).ToArray();
            var scores = scorer(pairs);
            int k = 0;
            foreach (var r in chunk)
            {
                if (r.Pos.Count == 0) continue;
                float pos = scores[k++];
                var keep = new List<int>();
                for (int i = 0; i < r.Neg.Count; i++, k++)
                {
                    float s = scores[k];
                    bool ok = (relativeMargin is not { } rm || s <= pos * (1 - rm)) && (absoluteMargin is not { } am || s <= pos - am);
                    if (ok && (maxNegatives is not { } max || keep.Count < max)) keep.Add(i);
                    else if (!ok) dropped++;
                }
                if (r.NegScores is { } ns && ns.Count == r.Neg.Count) r.NegScores = keep.Select(i => ns[i]).ToList();
                r.Neg = keep.Select(i => r.Neg[i]).ToList();
            }
        }
        return dropped;
    }
}
