using System.Text.Json;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Tokenization.Normalization;

/// <summary>
/// Reads the <c>normalizer</c> of a tokenizer.json for the SentencePiece tokenizers: <c>Precompiled</c>
/// (base64 <c>precompiled_charsmap</c>; empty or null is the identity), <c>Replace</c> (pattern <c>String</c> or
/// <c>Regex</c>), <c>Strip</c>, <c>Lowercase</c> and <c>Sequence</c> of these. Anything else is a
/// <see cref="ModelFormatException"/> naming the field (e.g. <c>normalizer.normalizers[1].type</c>).
/// </summary>
internal static class NormalizerJson
{
    /// <summary>The normalizer described by <paramref name="element"/>, or null for JSON null / the identity.</summary>
    public static ITextNormalizer? Read(JsonElement? element, string path, string field)
    {
        if (element is not { } e) return null;
        if (e.ValueKind != JsonValueKind.Object) throw new ModelFormatException(path, $"field '{field}': expected an object, found {e.ValueKind}");
        string? type = JsonFile.String(e, "type", path, $"{field}.type");
        switch (type)
        {
            case "Sequence":
                var list = JsonFile.Require(e, "normalizers", path, $"{field}.normalizers");
                if (list.ValueKind != JsonValueKind.Array) throw new ModelFormatException(path, $"field '{field}.normalizers': expected an array");
                var steps = new List<ITextNormalizer>();
                int i = 0;
                foreach (var item in list.EnumerateArray())
                    if (Read(item, path, $"{field}.normalizers[{i++}]") is { } step) steps.Add(step);
                return steps.Count switch { 0 => null, 1 => steps[0], _ => new SequenceNormalizer(steps) };
            case "Precompiled":
                return Precompiled(e, path, field);
            case "Replace":
                return Replace(e, path, field);
            case "Strip":
                return new StripNormalizer(JsonFile.Bool(e, "strip_left", path, $"{field}.strip_left") ?? true,
                    JsonFile.Bool(e, "strip_right", path, $"{field}.strip_right") ?? true);
            case "Lowercase":
                return new LowercaseNormalizer();
            default:
                throw new ModelFormatException(path, $"field '{field}.type': '{type ?? "null"}' is not supported (supported: Sequence, Precompiled, Replace, Strip, Lowercase)");
        }
    }

    private static ITextNormalizer? Precompiled(JsonElement e, string path, string field)
    {
        string? b64 = JsonFile.String(e, "precompiled_charsmap", path, $"{field}.precompiled_charsmap");
        if (string.IsNullOrEmpty(b64)) return null;
        try { return new PrecompiledNormalizer(new PrecompiledCharsMap(Convert.FromBase64String(b64))); }
        catch (FormatException ex) { throw new ModelFormatException(path, $"field '{field}.precompiled_charsmap': {ex.Message}", ex); }
    }

    private static ReplaceNormalizer Replace(JsonElement e, string path, string field)
    {
        var pattern = JsonFile.Require(e, "pattern", path, $"{field}.pattern");
        string content = JsonFile.String(e, "content", path, $"{field}.content")
            ?? throw new ModelFormatException(path, $"field '{field}.content' is missing");
        if (JsonFile.String(pattern, "String", path, $"{field}.pattern.String") is { } s) return ReplaceNormalizer.ForString(s, content);
        if (JsonFile.String(pattern, "Regex", path, $"{field}.pattern.Regex") is { } r)
        {
            try { return ReplaceNormalizer.ForRegex(r, content); }
            catch (ArgumentException ex) { throw new ModelFormatException(path, $"field '{field}.pattern.Regex': {ex.Message}", ex); }
        }
        throw new ModelFormatException(path, $"field '{field}.pattern': expected {{\"String\": ...}} or {{\"Regex\": ...}}");
    }
}
