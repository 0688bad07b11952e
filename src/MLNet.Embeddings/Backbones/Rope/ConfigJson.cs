using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNet.Embeddings.Backbones.Rope;

/// <summary>Typed reads of config.json fields with errors that name the file and the field.</summary>
internal static class ConfigJson
{
    public static JsonObject Load(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException(path, "config.json not found.");
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new ModelFormatException(path, "expected a JSON object.");
        }
        catch (JsonException e) { throw new ModelFormatException(path, $"invalid JSON: {e.Message}", e); }
    }

    public static string? Str(JsonObject o, string name, string path)
    {
        if (!o.TryGetPropertyValue(name, out var n) || n is null) return null;
        if (n is JsonValue v && v.TryGetValue<string>(out var s)) return s;
        throw new ModelFormatException(path, $"field '{name}' must be a string, found {n.ToJsonString()}.");
    }

    public static int Int(JsonObject o, string name, string path, int fallback, int min)
    {
        if (!o.TryGetPropertyValue(name, out var n) || n is null) return fallback;
        if (n is JsonValue v && v.TryGetValue<double>(out var d) && d == Math.Floor(d) && d >= min && d <= int.MaxValue) return (int)d;
        throw new ModelFormatException(path, $"field '{name}' must be an integer ≥ {min}, found {n.ToJsonString()}.");
    }

    public static int? OptionalInt(JsonObject o, string name, string path, int min)
    {
        if (!o.TryGetPropertyValue(name, out var n) || n is null) return null;
        return Int(o, name, path, 0, min);
    }

    public static double Number(JsonObject o, string name, string path, double fallback)
    {
        if (!o.TryGetPropertyValue(name, out var n) || n is null) return fallback;
        if (n is JsonValue v && v.TryGetValue<double>(out var d) && d >= 0) return d;
        throw new ModelFormatException(path, $"field '{name}' must be a non-negative number, found {n.ToJsonString()}.");
    }

    public static bool Bool(JsonObject o, string name, string path, bool fallback)
    {
        if (!o.TryGetPropertyValue(name, out var n) || n is null) return fallback;
        if (n is JsonValue v && v.TryGetValue<bool>(out var b)) return b;
        throw new ModelFormatException(path, $"field '{name}' must be true or false, found {n.ToJsonString()}.");
    }

    /// <summary>A list of strings (e.g. <c>layer_types</c>), or null when absent.</summary>
    public static string[]? Strings(JsonObject o, string name, string path)
    {
        if (!o.TryGetPropertyValue(name, out var n) || n is null) return null;
        if (n is not JsonArray a) throw new ModelFormatException(path, $"field '{name}' must be an array of strings, found {n.ToJsonString()}.");
        var r = new string[a.Count];
        for (int i = 0; i < a.Count; i++)
            r[i] = a[i] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new ModelFormatException(path, $"field '{name}[{i}]' must be a string, found {a[i]?.ToJsonString() ?? "null"}.");
        return r;
    }

    /// <summary>Writes a JSON object atomically (temp file, then rename).</summary>
    public static void Save(string path, JsonObject o)
    {
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(tmp, path, overwrite: true);
    }
}
