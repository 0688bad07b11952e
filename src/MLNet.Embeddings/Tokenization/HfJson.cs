using System.Text;
using System.Text.Json;

namespace MLNet.Embeddings.Tokenization;

/// <summary>
/// Small helpers for Hugging Face tokenizer files (tokenizer.json, tokenizer_config.json, special_tokens_map.json):
/// typed field reads that fail with a <see cref="ModelFormatException"/> naming the file and field, and atomic writes.
/// </summary>
internal static class HfJson
{
    /// <summary>Parses a JSON file; a missing or malformed file is a <see cref="ModelFormatException"/>.</summary>
    public static JsonDocument Parse(string path, string? text = null)
    {
        try
        {
            text ??= File.ReadAllText(path);
            return JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (FileNotFoundException ex) { throw new ModelFormatException(path, "file not found", ex); }
        catch (JsonException ex) { throw new ModelFormatException(path, $"malformed JSON at line {ex.LineNumber + 1}: {ex.Message}", ex); }
    }

    /// <summary>The property <paramref name="name"/> of an object, or null when absent or JSON null.</summary>
    public static JsonElement? Get(JsonElement obj, string name)
        => obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    /// <summary>A required object property.</summary>
    public static JsonElement Require(JsonElement obj, string name, string path, string field)
        => Get(obj, name) ?? throw new ModelFormatException(path, $"field '{field}' is missing");

    /// <summary>An optional string property.</summary>
    public static string? String(JsonElement obj, string name, string path, string field)
    {
        var v = Get(obj, name);
        if (v is null) return null;
        return v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString()
            : throw new ModelFormatException(path, $"field '{field}': expected a string, found {v.Value.ValueKind}");
    }

    /// <summary>An optional boolean property.</summary>
    public static bool? Bool(JsonElement obj, string name, string path, string field)
    {
        var v = Get(obj, name);
        if (v is null) return null;
        return v.Value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ModelFormatException(path, $"field '{field}': expected true or false, found {v.Value.ValueKind}"),
        };
    }

    /// <summary>An optional integer property.</summary>
    public static long? Long(JsonElement obj, string name, string path, string field)
    {
        var v = Get(obj, name);
        if (v is null) return null;
        if (v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt64(out long l)) return l;
        if (v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetDouble(out double d)) return d >= long.MaxValue ? long.MaxValue : (long)d;
        throw new ModelFormatException(path, $"field '{field}': expected an integer, found {v.Value.ValueKind}");
    }

    /// <summary>A token given either as a string or as an object with <c>content</c> (special_tokens_map.json style).</summary>
    public static string? Token(JsonElement obj, string name, string path)
    {
        var v = Get(obj, name);
        if (v is null) return null;
        if (v.Value.ValueKind == JsonValueKind.String) return v.Value.GetString();
        if (v.Value.ValueKind == JsonValueKind.Object) return String(v.Value, "content", path, $"{name}.content");
        throw new ModelFormatException(path, $"field '{name}': expected a string or an object with 'content', found {v.Value.ValueKind}");
    }

    /// <summary>Writes a text file atomically (temporary file in the same folder, then rename).</summary>
    public static void WriteAtomic(string path, string content)
    {
        string tmp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        File.WriteAllText(tmp, content, new UTF8Encoding(false));
        File.Move(tmp, path, overwrite: true);
    }
}
