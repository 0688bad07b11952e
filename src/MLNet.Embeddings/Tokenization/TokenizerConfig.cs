using System.Text.Json;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Tokenization;

/// <summary>
/// What a model folder's tokenizer_config.json and special_tokens_map.json say (transformers' slow-tokenizer
/// settings): casing, accents, CJK handling, special tokens, added tokens and the model's maximum length.
/// </summary>
internal sealed class TokenizerConfig
{
    /// <summary>Model max lengths at or above this mean "not set" (transformers writes 1e30).</summary>
    public const long UnsetMaxLength = 1_000_000;

    public bool? DoLowerCase { get; private set; }
    public bool? StripAccents { get; private set; }
    public bool? TokenizeChineseChars { get; private set; }
    public int? ModelMaxLength { get; private set; }
    public Dictionary<string, string> SpecialTokens { get; } = new();
    public List<string> AdditionalSpecialTokens { get; } = new();
    public List<AddedToken> AddedTokens { get; } = new();

    /// <summary>Reads tokenizer_config.json and special_tokens_map.json from <paramref name="folder"/> (both optional).</summary>
    public static TokenizerConfig Read(string folder)
    {
        var config = new TokenizerConfig();
        string path = Path.Combine(folder, "tokenizer_config.json");
        if (File.Exists(path))
        {
            using var doc = JsonFile.Parse(path);
            var root = doc.RootElement;
            config.DoLowerCase = JsonFile.Bool(root, "do_lower_case", path, "do_lower_case");
            config.StripAccents = JsonFile.Bool(root, "strip_accents", path, "strip_accents");
            config.TokenizeChineseChars = JsonFile.Bool(root, "tokenize_chinese_chars", path, "tokenize_chinese_chars");
            long? max = JsonFile.Long(root, "model_max_length", path, "model_max_length");
            if (max is > 0 and < UnsetMaxLength) config.ModelMaxLength = (int)max.Value;
            config.ReadSpecialTokens(root, path);
            if (JsonFile.Get(root, "added_tokens_decoder") is { ValueKind: JsonValueKind.Object } decoder)
                foreach (var p in decoder.EnumerateObject())
                {
                    if (!int.TryParse(p.Name, out int id))
                        throw new ModelFormatException(path, $"field 'added_tokens_decoder': key '{p.Name}' is not an id");
                    config.AddedTokens.Add(ReadAddedToken(p.Value, id, path, $"added_tokens_decoder.{p.Name}"));
                }
        }
        path = Path.Combine(folder, "special_tokens_map.json");
        if (File.Exists(path))
        {
            using var doc = JsonFile.Parse(path);
            config.ReadSpecialTokens(doc.RootElement, path);
        }
        return config;
    }

    /// <summary>Reads one added token object (<c>content</c>, <c>special</c>, <c>single_word</c>, <c>lstrip</c>, <c>rstrip</c>, <c>normalized</c>).</summary>
    public static AddedToken ReadAddedToken(JsonElement e, int id, string path, string field)
    {
        string content = JsonFile.String(e, "content", path, field + ".content")
            ?? throw new ModelFormatException(path, $"field '{field}.content' is missing");
        bool special = JsonFile.Bool(e, "special", path, field + ".special") ?? false;
        return new AddedToken(content, id, special,
            JsonFile.Bool(e, "single_word", path, field + ".single_word") ?? false,
            JsonFile.Bool(e, "lstrip", path, field + ".lstrip") ?? false,
            JsonFile.Bool(e, "rstrip", path, field + ".rstrip") ?? false,
            JsonFile.Bool(e, "normalized", path, field + ".normalized") ?? !special);
    }

    private void ReadSpecialTokens(JsonElement root, string path)
    {
        foreach (var name in new[] { "unk_token", "sep_token", "pad_token", "cls_token", "mask_token", "bos_token", "eos_token" })
            if (JsonFile.Token(root, name, path) is { } t) SpecialTokens[name] = t;
        if (JsonFile.Get(root, "additional_special_tokens") is { ValueKind: JsonValueKind.Array } extra)
        {
            AdditionalSpecialTokens.Clear();
            foreach (var e in extra.EnumerateArray())
                AdditionalSpecialTokens.Add(e.ValueKind == JsonValueKind.String ? e.GetString()!
                    : JsonFile.String(e, "content", path, "additional_special_tokens[].content")
                      ?? throw new ModelFormatException(path, "field 'additional_special_tokens': entry without content"));
        }
    }
}
