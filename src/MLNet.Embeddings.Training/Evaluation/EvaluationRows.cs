using System.Globalization;
using System.Text.Json;
using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// Minimal JSONL row reader for evaluation files (query/anchor/sentence1, pos/positive/sentence2, neg/negative,
/// score, label, prompt). Stand-in until <see cref="TrainingDataReader.Read(string)"/> is implemented; then it defers to it.
/// </summary>
internal static class EvaluationRows
{
    public static IEnumerable<TrainingExample> Read(string path)
    {
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException ex) { throw new DatasetFormatException(path, lineNumber, null, $"expected a JSON object, found invalid JSON ({ex.Message}).", ex); }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    throw new DatasetFormatException(path, lineNumber, null, $"expected a JSON object, found {root.ValueKind}.");
                var row = new TrainingExample { Line = lineNumber };
                row.Query = Text(root, path, lineNumber, "query", "anchor", "sentence1") ?? "";
                row.Pos = Texts(root, path, lineNumber, "pos", "positive", "sentence2");
                row.Neg = Texts(root, path, lineNumber, "neg", "negative");
                row.Prompt = Text(root, path, lineNumber, "prompt");
                if (root.TryGetProperty("score", out var score))
                    row.Score = score.ValueKind == JsonValueKind.Number ? score.GetSingle()
                        : throw new DatasetFormatException(path, lineNumber, "score", $"expected a number, found {score.ValueKind}.");
                if (root.TryGetProperty("label", out var label))
                    row.Label = label.ValueKind switch
                    {
                        JsonValueKind.True => 1,
                        JsonValueKind.False => 0,
                        JsonValueKind.Number when label.TryGetDouble(out var v) && (v == 0 || v == 1) => (int)v,
                        _ => throw new DatasetFormatException(path, lineNumber, "label", $"expected 0 or 1, found {label.GetRawText()}."),
                    };
                yield return row;
            }
        }
    }

    private static string? Text(JsonElement root, string path, int line, params string[] names)
    {
        foreach (var name in names)
            if (root.TryGetProperty(name, out var v))
                return v.ValueKind == JsonValueKind.String ? v.GetString()
                    : throw new DatasetFormatException(path, line, name, $"expected a string, found {v.ValueKind}.");
        return null;
    }

    private static List<string> Texts(JsonElement root, string path, int line, params string[] names)
    {
        foreach (var name in names)
        {
            if (!root.TryGetProperty(name, out var v)) continue;
            if (v.ValueKind == JsonValueKind.String) return new List<string> { v.GetString()! };
            if (v.ValueKind != JsonValueKind.Array)
                throw new DatasetFormatException(path, line, name, $"expected a string or an array of strings, found {v.ValueKind}.");
            var list = new List<string>();
            int i = 0;
            foreach (var item in v.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                    throw new DatasetFormatException(path, line, $"{name}[{i.ToString(CultureInfo.InvariantCulture)}]", $"expected a string, found {item.ValueKind}.");
                list.Add(item.GetString()!);
                i++;
            }
            return list;
        }
        return new List<string>();
    }
}
