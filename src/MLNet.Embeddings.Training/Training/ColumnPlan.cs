using MLNet.Embeddings.Tensors;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;

namespace MLNet.Embeddings.Training;

/// <summary>One batch as the loss sees it before embedding: texts per column, labels, teacher scores, text ids.</summary>
/// <see cref="Prompts"/> holds, per column, each row's prompt (already prepended to its text) or null where the column has none.
internal sealed record ColumnBatch(IReadOnlyList<string[]> Texts, float[]? Labels, Matrix? Teacher, int[][] TextIds, IReadOnlyList<string?[]?>? Prompts = null);

/// <summary>
/// Which parts of a row become columns for a given loss, checked against the whole data set before training:
/// a row that lacks a needed column is rejected with its line number.
/// </summary>
internal sealed class ColumnPlan
{
    public bool SimCse { get; private init; }
    public bool Positive { get; private init; }
    public int Negatives { get; private init; }
    public bool Score { get; private init; }
    public bool Label { get; private init; }
    public bool Teacher { get; private init; }
    public float ScoreDivisor { get; private init; } = 1f;
    /// <summary>The rows to train on: the data set's rows, with hard negatives filled to <see cref="Negatives"/> where short.</summary>
    public IReadOnlyList<TrainingExample> Rows { get; private init; } = [];
    /// <summary>Rows whose hard negatives were filled (from their own or from other rows').</summary>
    public int RowsFilled { get; private init; }
    /// <summary>What was decided about hard negatives (count, why, rows filled), for the log; null when nothing to say.</summary>
    public string? Message { get; private init; }

    public static ColumnPlan Create(ILoss loss, IReadOnlyList<TrainingExample> rows, TrainerOptions o, string source)
    {
        if (rows.Count == 0) throw new DatasetFormatException(source, 0, null, "no training rows.");
        var inner = loss is MatryoshkaLoss m ? m.Inner : loss;
        var need = loss.Columns;
        int Line(int i) => rows[i].Line > 0 ? rows[i].Line : i + 1;
        DatasetFormatException Missing(int i, string field, string what) =>
            new(source, Line(i), field, $"loss '{loss.Name}' needs {what}; this row has none.");

        for (int i = 0; i < rows.Count; i++)
            if (string.IsNullOrEmpty(rows[i].Query)) throw Missing(i, "query", "a query/anchor text");

        bool positive = need.HasFlag(LossColumns.Positive);
        if (positive)
            for (int i = 0; i < rows.Count; i++)
                if (rows[i].Pos.Count == 0) throw Missing(i, "pos", "a positive text");

        // FlagEmbedding's groups: one count of hard negatives for every row; rows with fewer are filled (NegativeFill).
        int negatives = 0;
        var mostCommon = NegativeFill.MostCommon(rows);
        bool teacherNeeded = need.HasFlag(LossColumns.TeacherScores);
        string option = "TrainerOptions.NegativesPerRow (CLI --negatives N)";
        NegativeFill? fill = null;
        if (need.HasFlag(LossColumns.Negatives))
        {
            if (o.NegativesPerRow is < 1 && inner is not TripletLoss)
                throw new ConfigurationException("NegativesPerRow", $"loss '{loss.Name}' needs at least 1 negative per row, found {o.NegativesPerRow}.");
            int want = inner is TripletLoss ? 1 : o.NegativesPerRow ?? Math.Max(1, mostCommon.Count);
            if (rows.All(r => r.Neg.Count == 0))
                throw new DatasetFormatException(source, Line(0), "neg", $"loss '{loss.Name}' needs {want} negative(s) per row; no row has any.");
            fill = NegativeFill.Apply(rows, want, o.Seed, teacherNeeded, source);
            negatives = want;
        }
        else if (need.HasFlag(LossColumns.OptionalNegatives))
        {
            if (o.NegativesPerRow is < 0) throw new ConfigurationException("NegativesPerRow", $"must be 0 or more, found {o.NegativesPerRow}.");
            int want = o.NegativesPerRow ?? mostCommon.Count;
            if (want > 0 && rows.All(r => r.Neg.Count == 0))
                throw new DatasetFormatException(source, Line(0), "neg", $"{want} negative(s) per row requested; no row has any.");
            fill = NegativeFill.Apply(rows, want, o.Seed, teacherNeeded, source);
            negatives = want;
        }
        var trainRows = fill?.Rows ?? rows;
        string? message = fill is null || (fill.PerRow == 0 && mostCommon.Count == 0 && o.NegativesPerRow is null)
            ? null : fill.Describe(rows.Count, mostCommon, o.NegativesPerRow is not null, option);

        bool score = need.HasFlag(LossColumns.Score), label = need.HasFlag(LossColumns.Label);
        float divisor = 1f;
        if (score)
        {
            for (int i = 0; i < rows.Count; i++)
                if ((rows[i].Score ?? rows[i].Label) is null) throw Missing(i, "score", "a similarity score");
            float max = rows.Max(r => r.Score ?? r.Label ?? 0);
            if (o.NormalizeScores && max > 1f) divisor = max;
        }
        if (label)
            for (int i = 0; i < rows.Count; i++)
                if (LabelOf(rows[i]) is null) throw Missing(i, "label", inner is ContrastiveLoss or OnlineContrastiveLoss ? "a 0/1 label" : "a label");
        if (label && inner is ContrastiveLoss or OnlineContrastiveLoss)
            for (int i = 0; i < rows.Count; i++)
                if (LabelOf(rows[i]) is not (0f or 1f)) throw new DatasetFormatException(source, Line(i), "label", $"loss '{loss.Name}' needs a 0/1 label, found {LabelOf(rows[i])}.");
        if (inner is SoftmaxLoss softmax)
        {
            for (int i = 0; i < rows.Count; i++)
                if (LabelOf(rows[i]) is < 0) throw new DatasetFormatException(source, Line(i), "label", $"loss 'softmax' needs a class label 0 or more, found {LabelOf(rows[i])}.");
            int max = (int)rows.Max(r => LabelOf(r)!.Value);
            softmax.NumLabels ??= max + 1;
            if (max >= softmax.NumLabels)
                throw new DatasetFormatException(source, Line(rows.ToList().FindIndex(r => LabelOf(r) >= softmax.NumLabels)), "label",
                    $"loss 'softmax' has {softmax.NumLabels} labels (0..{softmax.NumLabels - 1}); this row's label is out of range.");
            if (softmax.NumLabels < 2) throw new DatasetFormatException(source, 0, "label", "loss 'softmax' needs at least 2 classes; every row has label 0.");
        }

        bool teacher = teacherNeeded;
        if (teacher)
            for (int i = 0; i < trainRows.Count; i++)
            {
                var r = trainRows[i];   // skipped rows shift the indices: name the row by its own line
                int line = r.Line > 0 ? r.Line : i + 1;
                if (r.PosScores is not { Count: > 0 })
                    throw new DatasetFormatException(source, line, "pos_scores", $"loss '{loss.Name}' needs teacher scores for the positive; this row has none.");
                if ((r.NegScores?.Count ?? 0) < negatives)
                    throw new DatasetFormatException(source, line, "neg_scores",
                        $"loss '{loss.Name}' needs {negatives} teacher score(s) for the negatives; this row has {r.NegScores?.Count ?? 0}.");
            }

        return new ColumnPlan
        {
            SimCse = inner is IDropoutViewLoss, Positive = positive, Negatives = negatives,
            Score = score, Label = label, Teacher = teacher, ScoreDivisor = divisor, Rows = trainRows, Message = message,
            RowsFilled = fill is null ? 0 : fill.FilledFromOwn + fill.FilledFromOthers,
        };
    }

    static float? LabelOf(TrainingExample r) => r.Label ?? (r.Score is 0f or 1f ? r.Score : null);

    static string AnchorText(TrainingExample r) => r.Prompt is { Length: > 0 } p ? p + r.Query : r.Query;

    /// <summary>The texts of a row that become columns (for the no-duplicates sampler).</summary>
    public IEnumerable<string> Texts(TrainingExample r)
    {
        yield return AnchorText(r);
        if (Positive) yield return r.Pos[0];
        for (int k = 0; k < Negatives; k++) yield return r.Neg[k];
    }

    public ColumnBatch Build(IReadOnlyList<TrainingExample> rows, int[] batch)
    {
        int b = batch.Length;
        var texts = new List<string[]> { batch.Select(i => AnchorText(rows[i])).ToArray() };
        var anchorPrompts = batch.Select(i => rows[i].Prompt is { Length: > 0 } p ? p : null).ToArray();
        var prompts = new List<string?[]?> { anchorPrompts };
        if (SimCse) { texts.Add(texts[0]); prompts.Add(anchorPrompts); }
        if (Positive) texts.Add(batch.Select(i => rows[i].Pos[0]).ToArray());
        for (int k = 0; k < Negatives; k++) texts.Add(batch.Select(i => rows[i].Neg[k]).ToArray());

        float[]? labels = null;
        if (Score) labels = batch.Select(i => (rows[i].Score ?? rows[i].Label!.Value) / ScoreDivisor).ToArray();
        else if (Label) labels = batch.Select(i => LabelOf(rows[i])!.Value).ToArray();

        Matrix? teacher = null;
        if (Teacher)
        {
            teacher = new Matrix(b, 1 + Negatives);
            for (int r = 0; r < b; r++)
            {
                var row = rows[batch[r]];
                teacher[r, 0] = row.PosScores![0];
                for (int k = 0; k < Negatives; k++) teacher[r, 1 + k] = row.NegScores![k];
            }
        }

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var textIds = texts.Select(col => col.Select(t => ids.TryGetValue(t, out int id) ? id : ids[t] = ids.Count).ToArray()).ToArray();
        while (prompts.Count < texts.Count) prompts.Add(null);
        return new ColumnBatch(texts, labels, teacher, textIds, prompts);
    }
}
