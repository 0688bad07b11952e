using System.Text.Json;
using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// Reads a retrieval benchmark in the BEIR layout: <c>corpus.jsonl</c> (<c>{"_id", "title", "text"}</c>; title and text
/// are joined with a space), <c>queries.jsonl</c> (<c>{"_id", "text"}</c>) and <c>qrels/SPLIT.tsv</c> (header, then
/// <c>query-id corpus-id score</c>; a score above 0 marks a relevant document). Errors name the file, line and field.
/// </summary>
public static class BeirFolder
{
    /// <summary>Whether <paramref name="folder"/> has the BEIR files.</summary>
    public static bool IsBeir(string folder) =>
        Directory.Exists(folder) && File.Exists(Path.Combine(folder, "corpus.jsonl")) && File.Exists(Path.Combine(folder, "queries.jsonl")) && Directory.Exists(Path.Combine(folder, "qrels"));

    /// <summary>The retrieval evaluator over the folder's corpus, queries and <c>qrels/<paramref name="split"/>.tsv</c>
    /// (null: <c>test.tsv</c>, or the only .tsv there).</summary>
    public static InformationRetrievalEvaluator Load(string folder, string? split = null, InformationRetrievalEvaluatorOptions? options = null)
    {
        if (!IsBeir(folder)) throw new DatasetFormatException(folder, 0, null, "expected a BEIR folder: corpus.jsonl, queries.jsonl and qrels/*.tsv.");
        string qrelsDir = Path.Combine(folder, "qrels");
        string qrels;
        if (split is not null) qrels = Path.Combine(qrelsDir, split + ".tsv");
        else
        {
            var tsv = Directory.GetFiles(qrelsDir, "*.tsv");
            qrels = File.Exists(Path.Combine(qrelsDir, "test.tsv")) ? Path.Combine(qrelsDir, "test.tsv")
                : tsv.Length == 1 ? tsv[0] : throw new DatasetFormatException(qrelsDir, 0, null, $"expected test.tsv or a single .tsv, found {tsv.Length} files; name the split.");
        }
        if (!File.Exists(qrels)) throw new DatasetFormatException(qrels, 0, null, "file not found.");
        var corpus = ReadJsonl(Path.Combine(folder, "corpus.jsonl"), withTitle: true);
        var queries = ReadJsonl(Path.Combine(folder, "queries.jsonl"), withTitle: false);
        var relevant = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        int lineNo = 0;
        foreach (var line in File.ReadLines(qrels))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var f = line.Split('\t');
            if (lineNo == 1 && !int.TryParse(f[^1], out _)) continue; // header
            if (f.Length < 3) throw new DatasetFormatException(qrels, lineNo, null, $"expected 'query-id<TAB>corpus-id<TAB>score', found {f.Length} fields.");
            if (!double.TryParse(f[2], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double score))
                throw new DatasetFormatException(qrels, lineNo, "score", $"expected a number, found '{f[2]}'.");
            if (score <= 0) continue;
            if (!queries.ContainsKey(f[0])) throw new DatasetFormatException(qrels, lineNo, "query-id", $"'{f[0]}' is not in queries.jsonl.");
            if (!corpus.ContainsKey(f[1])) throw new DatasetFormatException(qrels, lineNo, "corpus-id", $"'{f[1]}' is not in corpus.jsonl.");
            (relevant.TryGetValue(f[0], out var set) ? set : relevant[f[0]] = new HashSet<string>(StringComparer.Ordinal)).Add(f[1]);
        }
        return new InformationRetrievalEvaluator(queries, corpus, relevant.ToDictionary(kv => kv.Key, kv => (IReadOnlySet<string>)kv.Value), options);
    }

    private static Dictionary<string, string> ReadJsonl(string path, bool withTitle)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        int lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException ex) { throw new DatasetFormatException(path, lineNo, null, DatasetFormatException.InvalidJson(ex), ex); }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("_id", out var id))
                    throw new DatasetFormatException(path, lineNo, "_id", "field is missing.");
                if (!root.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                    throw new DatasetFormatException(path, lineNo, "text", "expected a string.");
                string t = text.GetString()!;
                if (withTitle && root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String && title.GetString() is { Length: > 0 } tt) t = tt + " " + t;
                string key = id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText();
                if (!result.TryAdd(key, t)) throw new DatasetFormatException(path, lineNo, "_id", $"'{key}' appears twice.");
            }
        }
        return result;
    }
}
