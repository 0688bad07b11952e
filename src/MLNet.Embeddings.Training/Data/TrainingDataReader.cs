using System.Text;
using System.Text.Json;
using MLNet.Embeddings.Data;

namespace MLNet.Embeddings.Training.Data;

/// <summary>
/// Streams training rows from a file, one <see cref="TrainingExample"/> per line, with its 1-based line number.
/// <list type="bullet">
/// <item>JSONL (any extension but <c>.txt</c>), each line one of:
///   the seeds' / FlagEmbedding format <c>{"query", "pos": [..], "neg": [..], "pos_scores", "neg_scores", "prompt", "type"}</c>
///   (<c>pos</c>/<c>neg</c> may be a single string; optional <c>score</c> and <c>label</c> as written by <see cref="TrainingDataWriter"/>),
///   pairs <c>{"anchor", "positive"}</c>, triplets <c>{"anchor", "positive", "negative"}</c> (or <c>negative_1</c>, <c>negative_2</c> …),
///   scored pairs <c>{"sentence1", "sentence2", "score"}</c> with an optional 0/1 <c>label</c>.
///   Unknown fields are kept in <see cref="TrainingExample.Extra"/>. Blank lines are skipped.</item>
/// <item><c>.txt</c>: one sentence per line (SimCSE); each line becomes the pair (sentence, sentence), i.e.
///   <c>Query = Pos[0] = sentence</c>, as sentence-transformers builds SimCSE pairs. Blank lines are skipped.</item>
/// </list>
/// A malformed row (bad JSON, missing field, wrong type, empty <c>pos</c>, non-finite score, empty text, score list
/// length not matching its text list) throws <see cref="DatasetFormatException"/> naming the file, line and field.
/// </summary>
public static class TrainingDataReader
{
    /// <summary>
    /// Streams rows from JSONL (seeds' format, anchor/positive[/negative], sentence1/sentence2/score[/label])
    /// or .txt (one sentence per line, for SimCSE). Errors name the file and line.
    /// </summary>
    public static IEnumerable<TrainingExample> Read(string path)
    {
        if (!File.Exists(path))
            throw new DatasetFormatException(path, 0, null, "file not found");
        bool text = IsTextFile(path);
        return ReadCore(path, text);
    }

    /// <summary>Streams rows from an open reader; <paramref name="sourceName"/> names it in errors.</summary>
    /// <param name="reader">The text to read.</param>
    /// <param name="sourceName">File name (or e.g. "stdin") used in error messages.</param>
    /// <param name="plainText">True for one sentence per line (SimCSE), false for JSONL.</param>
    public static IEnumerable<TrainingExample> Read(TextReader reader, string sourceName, bool plainText = false)
    {
        foreach (var (line, ex, problem) in Parse(reader, plainText))
        {
            if (problem is not null) throw problem.ToException(sourceName);
            yield return ex!;
        }
    }

    /// <summary>Whether <paramref name="path"/> is read as one sentence per line (extension <c>.txt</c>).</summary>
    public static bool IsTextFile(string path) => string.Equals(Path.GetExtension(path), ".txt", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<TrainingExample> ReadCore(string path, bool text)
    {
        using var reader = OpenText(path);
        foreach (var ex in Read(reader, path, text)) yield return ex;
    }

    internal static StreamReader OpenText(string path) => JsonLinesReader.Open(path);

    /// <summary>
    /// Parses every line, yielding either a row or the first problem on that line (never throws for content).
    /// Used by the reader (which throws) and by validation (which collects).
    /// </summary>
    internal static IEnumerable<(int Line, TrainingExample? Example, DatasetProblem? Problem)> Parse(TextReader reader, bool plainText)
    {
        int lineNo = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (plainText)
            {
                var s = line.Trim();
                yield return (lineNo, new TrainingExample { Query = s, Pos = [s], Line = lineNo }, null);
                continue;
            }
            var problems = new List<DatasetProblem>(1);
            var ex = ParseJsonLine(line, lineNo, problems);
            yield return (lineNo, problems.Count == 0 ? ex : null, problems.Count == 0 ? null : problems[0]);
        }
    }

    /// <summary>Parses one JSONL line; problems are appended (all of them), the row is returned when it could be built.</summary>
    internal static TrainingExample? ParseJsonLine(string line, int lineNo, List<DatasetProblem> problems)
    {
        using var doc = JsonLinesReader.Parse(line, out string? error);
        if (doc is null)
        {
            problems.Add(new DatasetProblem(lineNo, null, error!));
            return null;
        }
        {
            var root = doc.RootElement;
            var ctx = new RowContext(lineNo, problems);
            if (root.TryGetProperty("query", out _)) return ParseSeeds(root, ctx);
            if (root.TryGetProperty("anchor", out _)) return ParseAnchor(root, ctx);
            if (root.TryGetProperty("sentence1", out _)) return ParseScoredPair(root, ctx);
            if (root.TryGetProperty("text", out _) && root.TryGetProperty("label", out _)) return ParseLabelledText(root, ctx);
            problems.Add(new DatasetProblem(lineNo, "query",
                "missing field: expected \"query\" (seeds' format), \"anchor\" (pairs/triplets), \"sentence1\" (scored pairs) or \"text\" with \"label\" (labelled texts)"));
            return null;
        }
    }

    private static readonly HashSet<string> SeedsFields = ["query", "pos", "neg", "pos_scores", "neg_scores", "prompt", "type", "score", "label"];
    private static readonly HashSet<string> ScoredFields = ["sentence1", "sentence2", "score", "label"];

    private static TrainingExample? ParseSeeds(JsonElement root, RowContext c)
    {
        var ex = new TrainingExample { Line = c.Line };
        int before = c.Problems.Count;
        ex.Query = c.RequiredText(root, "query") ?? "";
        ex.Pos = c.TextList(root, "pos", required: true) ?? [];
        ex.Neg = c.TextList(root, "neg", required: false) ?? [];
        ex.PosScores = c.ScoreList(root, "pos_scores", ex.Pos.Count, "pos");
        ex.NegScores = c.ScoreList(root, "neg_scores", ex.Neg.Count, "neg");
        ex.Prompt = c.OptionalString(root, "prompt");
        ex.Type = c.OptionalString(root, "type");
        ex.Score = c.OptionalScore(root, "score");
        ex.Label = c.OptionalLabel(root, "label");
        ex.Extra = Extras(root, SeedsFields);
        return c.Problems.Count == before ? ex : null;
    }

    private static TrainingExample? ParseAnchor(JsonElement root, RowContext c)
    {
        var ex = new TrainingExample { Line = c.Line };
        int before = c.Problems.Count;
        ex.Query = c.RequiredText(root, "anchor") ?? "";
        var pos = c.RequiredText(root, "positive");
        if (pos is not null) ex.Pos = [pos];
        var known = new HashSet<string> { "anchor", "positive", "score", "label" };
        if (root.TryGetProperty("negative", out _))
        {
            known.Add("negative");
            var neg = c.RequiredText(root, "negative");
            if (neg is not null) ex.Neg.Add(neg);
        }
        for (int i = 1; root.TryGetProperty($"negative_{i}", out _); i++)
        {
            known.Add($"negative_{i}");
            var neg = c.RequiredText(root, $"negative_{i}");
            if (neg is not null) ex.Neg.Add(neg);
        }
        ex.Score = c.OptionalScore(root, "score");
        ex.Label = c.OptionalLabel(root, "label", classLabel: true);
        ex.Extra = Extras(root, known);
        return c.Problems.Count == before ? ex : null;
    }

    /// <summary>A labelled text for the in-batch label losses: <c>{"text": "...", "label": N}</c>, N an integer class 0 or more.</summary>
    private static TrainingExample? ParseLabelledText(JsonElement root, RowContext c)
    {
        var ex = new TrainingExample { Line = c.Line };
        int before = c.Problems.Count;
        ex.Query = c.RequiredText(root, "text") ?? "";
        ex.Label = c.OptionalLabel(root, "label", classLabel: true);
        ex.Extra = Extras(root, ["text", "label"]);
        return c.Problems.Count == before ? ex : null;
    }

    private static TrainingExample? ParseScoredPair(JsonElement root, RowContext c)
    {
        var ex = new TrainingExample { Line = c.Line };
        int before = c.Problems.Count;
        ex.Query = c.RequiredText(root, "sentence1") ?? "";
        var s2 = c.RequiredText(root, "sentence2");
        if (s2 is not null) ex.Pos = [s2];
        ex.Score = c.OptionalScore(root, "score");
        ex.Label = c.OptionalLabel(root, "label");
        if (!root.TryGetProperty("score", out _) && !root.TryGetProperty("label", out _))
            c.Add("score", "missing field: scored pairs need \"score\" (or a 0/1 \"label\")");
        ex.Extra = Extras(root, ScoredFields);
        return c.Problems.Count == before ? ex : null;
    }

    private static Dictionary<string, JsonElement>? Extras(JsonElement root, HashSet<string> known)
    {
        Dictionary<string, JsonElement>? extra = null;
        foreach (var p in root.EnumerateObject())
        {
            if (known.Contains(p.Name)) continue;
            extra ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            extra[p.Name] = p.Value.Clone();
        }
        return extra;
    }

    internal static string Kind(JsonElement e) => JsonLine.Kind(e);

    private readonly struct RowContext(int line, List<DatasetProblem> problems)
    {
        public int Line { get; } = line;
        public List<DatasetProblem> Problems { get; } = problems;

        public void Add(string? field, string message) => Problems.Add(new DatasetProblem(Line, field, message));

        /// <summary>A string value's text, or null (with a problem) when it holds an unpaired surrogate.</summary>
        string? Str(JsonElement v, string field)
        {
            try { return v.GetString()!; }
            catch (InvalidOperationException) { Add(field, "not valid Unicode text (an unpaired UTF-16 surrogate such as \\ud800)"); return null; }
        }

        public string? RequiredText(JsonElement root, string field)
        {
            if (!root.TryGetProperty(field, out var v)) { Add(field, "missing field: expected a non-empty string"); return null; }
            if (v.ValueKind != JsonValueKind.String) { Add(field, $"wrong type: expected a string, found {Kind(v)}"); return null; }
            if (Str(v, field) is not { } s) return null;
            if (s.Length == 0 || string.IsNullOrWhiteSpace(s)) { Add(field, "empty text: expected a non-empty string"); return null; }
            return s;
        }

        public string? OptionalString(JsonElement root, string field)
        {
            if (!root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.String) { Add(field, $"wrong type: expected a string or null, found {Kind(v)}"); return null; }
            return Str(v, field);
        }

        public List<string>? TextList(JsonElement root, string field, bool required)
        {
            if (!root.TryGetProperty(field, out var v) || (!required && v.ValueKind == JsonValueKind.Null))
            {
                if (required) Add(field, "missing field: expected a list of strings (or one string)");
                return null;
            }
            if (v.ValueKind == JsonValueKind.String)
            {
                if (Str(v, field) is not { } s) return null;
                if (string.IsNullOrWhiteSpace(s)) { Add(field, "empty text: expected a non-empty string"); return null; }
                return [s];
            }
            if (v.ValueKind != JsonValueKind.Array) { Add(field, $"wrong type: expected a list of strings, found {Kind(v)}"); return null; }
            var list = new List<string>(v.GetArrayLength());
            int i = 0;
            foreach (var item in v.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String) { Add($"{field}[{i}]", $"wrong type: expected a string, found {Kind(item)}"); return null; }
                if (Str(item, $"{field}[{i}]") is not { } s) return null;
                if (string.IsNullOrWhiteSpace(s)) { Add($"{field}[{i}]", "empty text: expected a non-empty string"); return null; }
                list.Add(s);
                i++;
            }
            if (required && list.Count == 0) { Add(field, "empty list: expected at least one positive"); return null; }
            return list;
        }

        public List<float>? ScoreList(JsonElement root, string field, int expected, string of)
        {
            if (!root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.Array) { Add(field, $"wrong type: expected a list of numbers, found {Kind(v)}"); return null; }
            var list = new List<float>(v.GetArrayLength());
            int i = 0;
            foreach (var item in v.EnumerateArray())
            {
                var f = Number(item, $"{field}[{i}]");
                if (f is null) return null;
                list.Add(f.Value);
                i++;
            }
            if (list.Count != expected)
            {
                Add(field, $"length mismatch: expected {expected} scores (one per item of \"{of}\"), found {list.Count}");
                return null;
            }
            return list;
        }

        public float? OptionalScore(JsonElement root, string field)
        {
            if (!root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            return Number(v, field);
        }

        public int? OptionalLabel(JsonElement root, string field, bool classLabel = false)
        {
            if (!root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind == JsonValueKind.True) return 1;
            if (v.ValueKind == JsonValueKind.False) return 0;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && (d == 0 || d == 1)) return (int)d;
            if (classLabel && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int k) && k >= 0) return k;
            Add(field, classLabel ? $"wrong value: expected an integer class 0 or more, found {v.GetRawText()}" : $"wrong value: expected 0 or 1, found {v.GetRawText()}");
            return null;
        }

        private float? Number(JsonElement v, string field)
        {
            if (v.ValueKind == JsonValueKind.String)
            {
                if (Str(v, field) is not { } s) return null;
                if (s is "NaN" or "Infinity" or "-Infinity" or "inf" or "-inf" or "nan")
                    Add(field, $"non-finite score: expected a finite number, found \"{s}\"");
                else
                    Add(field, $"wrong type: expected a number, found a string");
                return null;
            }
            if (v.ValueKind != JsonValueKind.Number) { Add(field, $"wrong type: expected a number, found {Kind(v)}"); return null; }
            if (!v.TryGetDouble(out var d) || !double.IsFinite(d) || !float.IsFinite((float)d))
            {
                Add(field, $"non-finite score: expected a finite number, found {v.GetRawText()}");
                return null;
            }
            return (float)d;
        }
    }
}
