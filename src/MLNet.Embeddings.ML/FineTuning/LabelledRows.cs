using Microsoft.ML;
using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.ML;

/// <summary>
/// Turns the columns of an IDataView into training rows. With a positive column: one row per input row (negatives,
/// score, 0/1 label as given). Without one and with a label column (SetFit style): for every text, pairs sampled
/// from the labels (seeded): a same-class text as the positive and an other-class text as the negative; scored
/// losses get the pair twice (score 1 with the positive, 0 with the negative).
/// </summary>
internal static class LabelledRows
{
    public static List<TrainingExample> Build(IDataView data, FineTuneEmbeddingOptions o, int seed, string source, int? pairsPerRow = null, bool forEvaluation = false)
    {
        var anchors = ColumnReader.Texts(data, o.AnchorColumnName, nameof(o.AnchorColumnName));
        if (anchors.Length == 0) throw new DatasetFormatException(source, 0, o.AnchorColumnName, "no rows.");
        if (o.PositiveColumnName is { } pos) return Pairs(data, o, anchors, pos);
        if (o.LabelColumnName is { } label && !forEvaluation && o.Loss is EmbeddingLoss.BatchAllTriplet or EmbeddingLoss.BatchHardTriplet or EmbeddingLoss.BatchSemiHardTriplet)
            return ClassRows(anchors, ColumnReader.Labels(data, label, nameof(o.LabelColumnName)));
        if (o.LabelColumnName is { } label2)
            return FromLabels(anchors, ColumnReader.Labels(data, label2, nameof(o.LabelColumnName)), o, seed, pairsPerRow ?? o.PairsPerRow, source);
        if (o.Loss != EmbeddingLoss.SimCse)
            throw new ArgumentOutOfRangeException(nameof(o.PositiveColumnName), $"loss {o.Loss} needs PositiveColumnName (pairs) or LabelColumnName (labelled texts); only SimCse trains on the anchor column alone.");
        return anchors.Select(a => new TrainingExample { Query = a }).ToList();
    }

    static List<TrainingExample> Pairs(IDataView data, FineTuneEmbeddingOptions o, string[] anchors, string positive)
    {
        var positives = ColumnReader.Texts(data, positive, nameof(o.PositiveColumnName));
        var negatives = o.NegativeColumnNames.Select(n => ColumnReader.Texts(data, n, nameof(o.NegativeColumnNames))).ToArray();
        var scores = o.ScoreColumnName is { } s ? ColumnReader.Numbers(data, s, nameof(o.ScoreColumnName)) : null;
        var labels = o.LabelColumnName is { } l ? ColumnReader.Numbers(data, l, nameof(o.LabelColumnName)) : null;
        if (o.TeacherScoreColumnNames.Length > 0 && o.TeacherScoreColumnNames.Length != 1 + o.NegativeColumnNames.Length)
            throw new ConfigurationException(nameof(o.TeacherScoreColumnNames),
                $"needs one column for the positive and one per negative column ({1 + o.NegativeColumnNames.Length}), found {o.TeacherScoreColumnNames.Length}.");
        var teacher = o.TeacherScoreColumnNames.Select(n => ColumnReader.Numbers(data, n, nameof(o.TeacherScoreColumnNames))).ToArray();
        var rows = new List<TrainingExample>(anchors.Length);
        for (int i = 0; i < anchors.Length; i++)
        {
            var r = new TrainingExample { Query = anchors[i], Pos = [positives[i]], Line = i + 1 };
            foreach (var n in negatives) r.Neg.Add(n[i]);
            if (scores is not null) r.Score = scores[i];
            if (teacher.Length > 0)
            {
                r.PosScores = [teacher[0][i]];
                r.NegScores = teacher.Skip(1).Select(t => t[i]).ToList();
            }
            if (labels is not null)
            {
                if (o.Loss == EmbeddingLoss.Softmax)
                {
                    if (labels[i] < 0 || labels[i] != MathF.Floor(labels[i]))
                        throw new FormatException($"column '{o.LabelColumnName}' (LabelColumnName), row {i + 1}: loss Softmax needs an integer class label 0 or more, found {labels[i]}.");
                }
                else if (labels[i] is not (0f or 1f))
                    throw new FormatException($"column '{o.LabelColumnName}' (LabelColumnName), row {i + 1}: with a positive column the label is a 0/1 pair label, found {labels[i]}.");
                r.Label = (int)labels[i];
            }
            rows.Add(r);
        }
        return rows;
    }

    /// <summary>The in-batch label losses: one row per text, its class as an index (classes in order of first appearance).</summary>
    static List<TrainingExample> ClassRows(string[] texts, string[] labels)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        return texts.Select((t, i) => new TrainingExample
        {
            Query = t, Line = i + 1,
            Label = index.TryGetValue(labels[i], out int k) ? k : index[labels[i]] = index.Count,
        }).ToList();
    }

    static List<TrainingExample> FromLabels(string[] texts, string[] labels, FineTuneEmbeddingOptions o, int seed, int perRow, string source)
    {
        var byClass = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < texts.Length; i++)
        {
            if (!byClass.TryGetValue(labels[i], out var list)) byClass[labels[i]] = list = new();
            list.Add(i);
        }
        if (byClass.Count < 2)
            throw new DatasetFormatException(source, 0, o.LabelColumnName, $"labelled-text mode needs at least two classes; found {byClass.Count}.");
        var rng = new Random(seed);
        bool scored = o.Loss is EmbeddingLoss.CosineSimilarity or EmbeddingLoss.CoSent or EmbeddingLoss.Contrastive or EmbeddingLoss.OnlineContrastive;
        bool label01 = o.Loss is EmbeddingLoss.Contrastive or EmbeddingLoss.OnlineContrastive;
        var rows = new List<TrainingExample>(texts.Length * perRow * (scored ? 2 : 1));
        for (int it = 0; it < perRow; it++)
            for (int i = 0; i < texts.Length; i++)
            {
                var same = byClass[labels[i]];
                int neg;
                do neg = rng.Next(texts.Length); while (labels[neg] == labels[i]);
                int pos = -1;
                if (same.Count > 1) { do pos = same[rng.Next(same.Count)]; while (pos == i); }
                if (scored)
                {
                    if (pos >= 0) rows.Add(Pair(texts[i], texts[pos], 1, label01));
                    rows.Add(Pair(texts[i], texts[neg], 0, label01));
                }
                else if (pos >= 0)
                    rows.Add(new TrainingExample { Query = texts[i], Pos = [texts[pos]], Neg = [texts[neg]] });
            }
        if (rows.Count == 0) throw new DatasetFormatException(source, 0, o.LabelColumnName, "every class has a single text; no positive pair can be formed.");
        return rows;
    }

    static TrainingExample Pair(string a, string b, int target, bool label01) =>
        label01 ? new TrainingExample { Query = a, Pos = [b], Label = target } : new TrainingExample { Query = a, Pos = [b], Score = target };
}
