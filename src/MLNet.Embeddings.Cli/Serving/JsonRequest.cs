using System.Text.Json;

namespace MLNet.Embeddings.Cli.Serving;

/// <summary>
/// A request body that is one JSON object, read field by field with typed getters. Every way a body can be malformed
/// ends in a <see cref="RequestException"/> (400) whose message names the field: not JSON (with the byte position),
/// invalid UTF-8, nesting deeper than <see cref="MaxDepth"/>, not an object, a field given twice, a wrong type, a
/// number out of range, a string with an unpaired surrogate. A field set to null counts as absent; unknown fields are
/// ignored (OpenAI clients send "model" and "user"). Shared by every service endpoint.
/// </summary>
internal sealed class JsonRequest
{
    /// <summary>Deepest nesting accepted; no endpoint needs more than an array of arrays.</summary>
    public const int MaxDepth = 16;

    readonly Dictionary<string, JsonElement> _fields;

    JsonRequest(Dictionary<string, JsonElement> fields) => _fields = fields;

    /// <summary>Parses <paramref name="body"/>; <paramref name="required"/> names the field a useful body has (for the message on a non-object).</summary>
    public static JsonRequest Parse(ReadOnlyMemory<byte> body, string required)
    {
        if (body.IsEmpty) throw Bad($"request body is empty; expected a JSON object with an \"{required}\" field");
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth });
            root = doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            string where = ex.BytePositionInLine is { } b ? $" at line {ex.LineNumber + 1}, byte {b + 1}" : "";
            string why = ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
                ? $"it nests deeper than {MaxDepth} levels" : Detail(ex.Message);
            throw Bad($"request body is not valid JSON{where}: {why}");
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw Bad($"request body must be a JSON object with an \"{required}\" field, found {Kind(root)}");
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in root.EnumerateObject())
        {
            string name;
            try { name = p.Name; }
            catch (InvalidOperationException) { throw Bad("a field name is not valid Unicode text (an unpaired UTF-16 surrogate or invalid UTF-8)"); }
            if (!fields.TryAdd(name, p.Value)) throw Bad($"\"{name}\" is given more than once");
        }
        return new JsonRequest(fields);
    }

    /// <summary>Whether <paramref name="field"/> is present and not null.</summary>
    public bool Has(string field) => _fields.TryGetValue(field, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>A string field, or null when absent.</summary>
    public string? String(string field) =>
        Has(field) ? Text(_fields[field], $"\"{field}\"", "must be a string") : null;

    /// <summary>A field holding one string or an array of strings, or null when absent.</summary>
    public string[]? Strings(string field)
    {
        if (!Has(field)) return null;
        const string expected = "must be a string or an array of strings";
        var v = _fields[field];
        if (v.ValueKind == JsonValueKind.String) return [Text(v, $"\"{field}\"", expected)];
        if (v.ValueKind != JsonValueKind.Array) throw Bad($"\"{field}\" {expected}, found {Kind(v)}");
        var texts = new string[v.GetArrayLength()];
        int i = 0;
        foreach (var e in v.EnumerateArray()) { texts[i] = Text(e, $"\"{field}\"[{i}]", expected); i++; }
        return texts;
    }

    /// <summary>
    /// A field holding an array whose items are strings or objects with a string <c>"text"</c> field (the document
    /// shapes Cohere and Jina accept), or null when absent.
    /// </summary>
    public string[]? TextArray(string field)
    {
        if (!Has(field)) return null;
        const string expected = "must be an array of strings (or of objects with a \"text\" string)";
        var v = _fields[field];
        if (v.ValueKind != JsonValueKind.Array) throw Bad($"\"{field}\" {expected}, found {Kind(v)}");
        var texts = new string[v.GetArrayLength()];
        int i = 0;
        foreach (var e in v.EnumerateArray())
        {
            string name = $"\"{field}\"[{i}]";
            if (e.ValueKind == JsonValueKind.Object)
            {
                if (!e.TryGetProperty("text", out var text)) throw Bad($"{name} is an object without a \"text\" field");
                texts[i] = Text(text, $"{name}.text", "must be a string");
            }
            else texts[i] = Text(e, name, "must be a string or an object with a \"text\" string");
            i++;
        }
        return texts;
    }

    /// <summary>A true/false field, or null when absent.</summary>
    public bool? Bool(string field)
    {
        if (!Has(field)) return null;
        var v = _fields[field];
        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.GetBoolean();
        throw Bad($"\"{field}\" must be true or false, found {Kind(v)}");
    }

    /// <summary>A whole-number field in the range of <see cref="int"/>, or null when absent.</summary>
    public int? Int(string field)
    {
        if (!Has(field)) return null;
        var v = _fields[field];
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n)) return n;
        string found = v.ValueKind == JsonValueKind.Number ? $"{Raw(v)} (not a whole number from {int.MinValue} to {int.MaxValue})" : Kind(v);
        throw Bad($"\"{field}\" must be an integer, found {found}");
    }

    static string Text(JsonElement v, string name, string expected)
    {
        if (v.ValueKind != JsonValueKind.String) throw Bad($"{name} {expected}, found {Kind(v)}");
        try { return v.GetString()!; }
        catch (InvalidOperationException) { throw Bad($"{name} is not valid Unicode text (an unpaired UTF-16 surrogate such as \\ud800, or invalid UTF-8)"); }
    }

    /// <summary>How a value reads in a message: its JSON kind, with the value itself when it is short.</summary>
    static string Kind(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
        JsonValueKind.Null => "null",
        _ => Raw(v),
    };

    static string Raw(JsonElement v)
    {
        string raw = v.GetRawText();
        return raw.Length <= 40 ? raw : raw[..40] + "…";
    }

    /// <summary>System.Text.Json's message without its own position suffix (the caller gives the position).</summary>
    static string Detail(string message) =>
        System.Text.RegularExpressions.Regex.Replace(message, @"\s*(Path: \S*)?\s*\|?\s*LineNumber: \d+ \| BytePositionInLine: \d+\.?\s*$", "").TrimEnd('.', ' ', '|');

    static RequestException Bad(string message) => new(400, message);
}
