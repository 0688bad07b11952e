using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNet.Embeddings.Models;

/// <summary>Small helpers for model-folder JSON files: parse with file-named errors, typed field access, atomic writes.</summary>
internal static class JsonFile
{
    static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Parses <paramref name="path"/>; a missing file or bad JSON becomes a <see cref="ModelFormatException"/>.</summary>
    public static JsonDocument Parse(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException(path, "file not found.");
        try { return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }); }
        catch (JsonException ex) { throw new ModelFormatException(path, $"not valid JSON: {ex.Message}", ex); }
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

    /// <summary>An optional string field (null when absent or null).</summary>
    public static string? String(string path, JsonElement obj, string field)
    {
        if (!obj.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw new ModelFormatException(path, $"field '{field}' must be a string, found {v.GetRawText()}.");
        return v.GetString();
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
