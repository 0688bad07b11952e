using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNet.Embeddings.Models;

/// <summary>
/// The one helper for JSON files of a model folder (config.json, tokenizer.json, tokenizer_config.json, modules.json …):
/// parse with file-named errors, typed field reads and atomic writes. A field that is absent or null reads as null (the
/// caller's default applies); a field that is present with the wrong type or an unusable value is a
/// <see cref="ModelFormatException"/> naming the file and field, never a silent fallback.
/// </summary>
internal static class JsonFile
{
    static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static readonly JsonDocumentOptions ReadOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>
    /// Parses <paramref name="path"/> (or <paramref name="text"/>, already read from it); a missing file or bad JSON
    /// becomes a <see cref="ModelFormatException"/>.
    /// </summary>
    public static JsonDocument Parse(string path, string? text = null)
    {
        if (text is null && !File.Exists(path)) throw new ModelFormatException(path, "file not found.");
        try { return text is null ? JsonDocument.Parse(File.ReadAllBytes(path), ReadOptions) : JsonDocument.Parse(text, ReadOptions); }
        catch (JsonException ex) { throw new ModelFormatException(path, $"malformed JSON at line {ex.LineNumber + 1}: {ex.Message}", ex); }
    }

    /// <summary>The root object of <paramref name="path"/> as a mutable node, or null when the file does not exist.</summary>
    /// <exception cref="ModelFormatException">The file is not JSON or its root is not an object.</exception>
    public static JsonObject? ReadObject(string path)
    {
        if (!File.Exists(path)) return null;
        using var doc = ParseObject(path);
        return JsonObject.Create(doc.RootElement.Clone());
    }

    /// <summary>Parses <paramref name="path"/> and requires a JSON object at the root.</summary>
    public static JsonDocument ParseObject(string path)
    {
        var doc = Parse(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = doc.RootElement.ValueKind;
            doc.Dispose();
            throw new ModelFormatException(path, $"expected a JSON object, found {kind}.");
        }
        return doc;
    }

    /// <summary>An optional boolean field (null when absent or null).</summary>
    public static bool? Bool(string path, JsonElement obj, string field)
    {
        if (!obj.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ModelFormatException(path, $"field '{field}' must be true or false, found {v.GetRawText()}."),
        };
    }

    /// <summary>An optional integer field (null when absent or null).</summary>
    public static int? Int(string path, JsonElement obj, string field)
    {
        if (!obj.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i)) return i;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue) return (int)d;
        throw new ModelFormatException(path, $"field '{field}' must be an integer, found {v.GetRawText()}.");
    }

    /// <summary>An optional integer field of a node (null when the object, the field or its value is null).</summary>
    public static int? Int(string path, JsonObject? obj, string field)
    {
        if (obj?[field] is not { } node) return null;
        using var doc = JsonDocument.Parse(new JsonObject { [field] = node.DeepClone() }.ToJsonString());
        return Int(path, doc.RootElement, field);
    }

    /// <summary>An optional string field (null when absent or null).</summary>
    public static string? String(string path, JsonElement obj, string field)
    {
        if (!obj.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw new ModelFormatException(path, $"field '{field}' must be a string, found {v.GetRawText()}.");
        return v.GetString();
    }

    /// <summary>The property <paramref name="name"/> of an object, or null when absent or JSON null (or when <paramref name="obj"/> is not an object).</summary>
    public static JsonElement? Get(JsonElement obj, string name)
        => obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    /// <summary>A required property; <paramref name="field"/> is its path as the error shows it (e.g. <c>model.vocab</c>).</summary>
    public static JsonElement Require(JsonElement obj, string name, string path, string field)
        => Get(obj, name) ?? throw new ModelFormatException(path, $"field '{field}' is missing");

    /// <summary>An optional string property; <paramref name="field"/> is its path as the error shows it.</summary>
    public static string? String(JsonElement obj, string name, string path, string field)
    {
        var v = Get(obj, name);
        if (v is null) return null;
        return v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString()
            : throw new ModelFormatException(path, $"field '{field}': expected a string, found {v.Value.ValueKind}");
    }

    /// <summary>An optional boolean property; <paramref name="field"/> is its path as the error shows it.</summary>
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

    /// <summary>
    /// An optional whole-number property. A number at or above 2^63 reads as <see cref="long.MaxValue"/>: Hugging Face writes
    /// <c>model_max_length</c> as 1e30 for "no limit". A fraction, or a number below the range, is an error.
    /// </summary>
    public static long? Long(JsonElement obj, string name, string path, string field)
    {
        var v = Get(obj, name);
        if (v is null) return null;
        if (v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt64(out long l)) return l;
        if (v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetDouble(out double d) && d >= long.MaxValue) return long.MaxValue;
        throw new ModelFormatException(path, $"field '{field}': expected an integer, found {(v.Value.ValueKind == JsonValueKind.Number ? v.Value.GetRawText() : v.Value.ValueKind)}");
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

    /// <summary>Writes <paramref name="node"/> as indented UTF-8 JSON to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, JsonNode node)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, WriterOptions)) node.WriteTo(w);
        ms.WriteByte((byte)'\n');
        AtomicWrite(path, ms.ToArray());
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> through a temp file in the same folder and a rename.</summary>
    public static void AtomicWrite(string path, byte[] bytes)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Writes text (UTF-8, no BOM) atomically.</summary>
    public static void AtomicWrite(string path, string text) => AtomicWrite(path, new UTF8Encoding(false).GetBytes(text));
}
