using System.Globalization;
using System.Text.Json;
using MLNet.Embeddings.CrossEncoders;

namespace MLNet.Embeddings.Training.Classification;

/// <summary>
/// Reads sequence-classification rows and derives what training needs from them: the label set and balanced class
/// weights. Rows are JSONL: <c>{"text": T, "label": L}</c> or <c>{"sentence1": A, "sentence2": B, "label": L}</c>, where
/// L is a string or an integer. Errors name the file and line.
/// </summary>
public static class ClassificationData
{
    /// <summary>Reads a JSONL file; with <paramref name="requireLabels"/>, a row without a label is an error.</summary>
    /// <exception cref="DatasetFormatException">A line is not JSON, lacks its text, or (with <paramref name="requireLabels"/>) its label; the message names file and line.</exception>
    public static List<LabelledText> Read(string path, bool requireLabels = true)
    {
        if (!File.Exists(path)) throw new DatasetFormatException(path, 0, null, "file not found.");
        var rows = new List<LabelledText>();
        int line = 0;
        foreach (var raw in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(raw); }
            catch (JsonException ex) { throw new DatasetFormatException(path, line, null, DatasetFormatException.InvalidJson(ex), ex); }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw new DatasetFormatException(path, line, null, $"expected a JSON object, found {root.ValueKind}.");
                string? text = Text(root, "text", path, line), first = Text(root, "sentence1", path, line), second = Text(root, "sentence2", path, line);
                if (text is not null && (first is not null || second is not null))
                    throw new DatasetFormatException(path, line, "text", "a row is either a text (text) or a pair (sentence1, sentence2), not both.");
                if (text is null)
                {
                    if (first is null && second is null) throw new DatasetFormatException(path, line, "text", "missing: a row needs 'text', or 'sentence1' and 'sentence2'.");
                    if (first is null) throw new DatasetFormatException(path, line, "sentence1", "missing: the row has 'sentence2' but no 'sentence1'.");
                    if (second is null) throw new DatasetFormatException(path, line, "sentence2", "missing: the row has 'sentence1' but no 'sentence2'.");
                }
                string? label = null;
                if (root.TryGetProperty("label", out var l) && l.ValueKind != JsonValueKind.Null)
                {
                    label = l.ValueKind switch
                    {
                        JsonValueKind.String => l.GetString(),
                        JsonValueKind.Number when l.TryGetInt64(out long n) => n.ToString(CultureInfo.InvariantCulture),
                        _ => throw new DatasetFormatException(path, line, "label", $"expected a string or an integer, found {l.GetRawText()}."),
                    };
                    if (string.IsNullOrEmpty(label)) throw new DatasetFormatException(path, line, "label", "is empty.");
                }
                if (label is null && requireLabels) throw new DatasetFormatException(path, line, "label", "missing: every row needs a label.");
                rows.Add(new LabelledText(text ?? first!, text is null ? second : null, label, line));
            }
        }
        return rows;
    }

    static string? Text(JsonElement root, string field, string path, int line)
    {
        if (!root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw new DatasetFormatException(path, line, field, $"expected a string, found {v.ValueKind}.");
        return v.GetString();
    }

    /// <summary>
    /// The distinct labels of <paramref name="rows"/>, in class-index order: numerically when every label is an integer,
    /// else ordinally.
    /// </summary>
    /// <exception cref="DatasetFormatException">A row has no label (names the line), or the rows hold fewer than two classes.</exception>
    public static IReadOnlyList<string> Labels(IEnumerable<LabelledText> rows, string source = "(rows in memory)")
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        int count = 0;
        foreach (var r in rows)
        {
            count++;
            set.Add(r.Label ?? throw new DatasetFormatException(source, r.Line, "label", "missing: every training row needs a label."));
        }
        if (count == 0) throw new DatasetFormatException(source, 0, null, "no rows.");
        if (set.Count < 2)
            throw new DatasetFormatException(source, 0, "label", $"every row has the label '{set.First()}': a classifier needs at least two classes.");
        return set.All(s => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            ? set.OrderBy(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray()
            : set.Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// scikit-learn's "balanced" class weights, <c>rows / (classes × rows of the class)</c>, in the order of
    /// <paramref name="labels"/>; a label without rows gets 1.
    /// </summary>
    public static float[] BalancedWeights(IEnumerable<LabelledText> rows, IReadOnlyList<string> labels)
    {
        var index = Index(labels);
        var counts = new int[labels.Count];
        int n = 0;
        foreach (var r in rows)
            if (r.Label is not null && index.TryGetValue(r.Label, out int i)) { counts[i]++; n++; }
        return counts.Select(c => c == 0 ? 1f : (float)((double)n / (labels.Count * (double)c))).ToArray();
    }

    /// <summary>The class index of each row's label in <paramref name="labels"/>.</summary>
    /// <exception cref="DatasetFormatException">A row has no label, or one not in <paramref name="labels"/>; names the line.</exception>
    public static int[] Targets(IReadOnlyList<LabelledText> rows, IReadOnlyList<string> labels, string source = "(rows in memory)")
    {
        var index = Index(labels);
        var t = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            if (r.Label is null) throw new DatasetFormatException(source, r.Line, "label", "missing: every row needs a label.");
            if (!index.TryGetValue(r.Label, out t[i]))
                throw new DatasetFormatException(source, r.Line, "label", $"'{r.Label}' is not one of the model's labels ({string.Join(", ", labels)}).");
        }
        return t;
    }

    /// <summary>Classifies every row with <paramref name="model"/> (texts and pairs may mix), in row order.</summary>
    public static IReadOnlyList<ClassPrediction> Predict(CrossEncoder model, IReadOnlyList<LabelledText> rows, CrossEncoderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new ClassPrediction[rows.Count];
        var single = Enumerable.Range(0, rows.Count).Where(i => rows[i].Second is null).ToArray();
        var pairs = Enumerable.Range(0, rows.Count).Where(i => rows[i].Second is not null).ToArray();
        if (single.Length > 0)
        {
            var p = model.Classify(single.Select(i => rows[i].Text).ToArray(), options, cancellationToken);
            for (int k = 0; k < single.Length; k++) result[single[k]] = p[k];
        }
        if (pairs.Length > 0)
        {
            var p = model.Classify(pairs.Select(i => (rows[i].Text, rows[i].Second!)).ToArray(), options, cancellationToken);
            for (int k = 0; k < pairs.Length; k++) result[pairs[k]] = p[k];
        }
        return result;
    }

    static Dictionary<string, int> Index(IReadOnlyList<string> labels)
    {
        var d = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < labels.Count; i++) d[labels[i]] = i;
        return d;
    }
}
