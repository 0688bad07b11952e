using System.Text.Json;
using MLNet.Embeddings.Tokenization.Normalization;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Tokenization.Bpe;

/// <summary>
/// SentencePiece-style BPE from a Hugging Face tokenizer.json (Gemma, Llama 2): the normalizer turns spaces into
/// <c>▁</c> (<c>Replace</c>, optionally after <c>Prepend</c>), there is no pre-tokenizer, BPE merges run over the
/// whole text between added tokens, characters missing from the vocabulary fall back to their UTF-8 bytes'
/// <c>&lt;0xAB&gt;</c> tokens (<c>byte_fallback</c>), and the post-processor adds e.g. <c>&lt;bos&gt;</c> … <c>&lt;eos&gt;</c>.
/// Ids and offsets equal HF tokenizers'. Thread-safe.
/// </summary>
public sealed class SentencePieceBpeTokenizer : ITokenizer
{
    private readonly BpeModel _model;
    private readonly TokenizerCore _core;
    private readonly ITextNormalizer? _normalizer;
    private readonly string _tokenizerJson;

    private SentencePieceBpeTokenizer(BpeModel model, SpecialTokensTemplate template, IReadOnlyList<AddedToken> added, ITextNormalizer? normalizer, int padId, string json)
    {
        _model = model;
        _normalizer = normalizer;
        PadId = padId;
        _tokenizerJson = json;
        _core = new TokenizerCore(template, model.Vocab, model.Vocab, added, firstAddedWins: true, Segment);
    }

    /// <inheritdoc />
    public int VocabSize => _core.VocabSize;
    /// <inheritdoc />
    public int PadId { get; }

    /// <summary>Whether a tokenizer.json has this shape: a BPE model and no pre-tokenizer (byte-level BPE files always have one).</summary>
    public static bool Matches(JsonElement root) =>
        (!root.TryGetProperty("pre_tokenizer", out var pre) || pre.ValueKind == JsonValueKind.Null)
        && root.TryGetProperty("model", out var m) && m.TryGetProperty("type", out var t) && t.GetString() == "BPE";

    /// <summary>Loads a tokenizer.json with a BPE model, no pre-tokenizer and a Replace / Prepend / Sequence normalizer.</summary>
    /// <exception cref="ModelFormatException">Missing or malformed file, or an unsupported component; names the field.</exception>
    public static SentencePieceBpeTokenizer FromTokenizerJson(string path)
    {
        string text = TokenizerCore.ReadJsonText(path);
        using var doc = JsonFile.Parse(path, text);
        var root = doc.RootElement;
        var model = JsonFile.Require(root, "model", path, "model");
        if (JsonFile.String(model, "type", path, "model.type") != "BPE") throw new ModelFormatException(path, "field 'model.type': expected BPE");
        if (JsonFile.Get(root, "pre_tokenizer") is { } pre)
            throw new ModelFormatException(path, $"field 'pre_tokenizer.type': expected null, found '{JsonFile.String(pre, "type", path, "pre_tokenizer.type")}'");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in JsonFile.Require(model, "vocab", path, "model.vocab").EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0)
                throw new ModelFormatException(path, $"field 'model.vocab': id of '{p.Name}' is not a non-negative integer");
            vocab[p.Name] = id;
        }
        var merges = new List<(string, string)>();
        int i = 0;
        foreach (var m in JsonFile.Require(model, "merges", path, "model.merges").EnumerateArray())
        {
            if (m.ValueKind == JsonValueKind.String && m.GetString()!.Split(' ') is [var a, var b]) merges.Add((a, b));
            else if (m.ValueKind == JsonValueKind.Array && m.GetArrayLength() == 2) merges.Add((m[0].GetString()!, m[1].GetString()!));
            else throw new ModelFormatException(path, $"field 'model.merges[{i}]': expected \"a b\" or [a, b]");
            i++;
        }
        if (JsonFile.Get(model, "dropout") is { } dropout && dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() > 0)
            throw new ModelFormatException(path, "field 'model.dropout': BPE dropout is not supported at inference");
        string? unkToken = JsonFile.String(model, "unk_token", path, "model.unk_token");
        int? unk = unkToken is null ? null : vocab.TryGetValue(unkToken, out int u) ? u
            : throw new ModelFormatException(path, $"field 'model.unk_token': '{unkToken}' is not in model.vocab");
        var bpe = new BpeModel(vocab, merges, unk, JsonFile.Bool(model, "fuse_unk", path, "model.fuse_unk") ?? false,
            JsonFile.String(model, "continuing_subword_prefix", path, "model.continuing_subword_prefix") ?? "",
            JsonFile.String(model, "end_of_word_suffix", path, "model.end_of_word_suffix") ?? "",
            JsonFile.Bool(model, "ignore_merges", path, "model.ignore_merges") ?? false, path,
            JsonFile.Bool(model, "byte_fallback", path, "model.byte_fallback") ?? false);
        var normalizer = NormalizerJson.Read(JsonFile.Get(root, "normalizer"), path, "normalizer");
        var added = new List<AddedToken>();
        if (JsonFile.Get(root, "added_tokens") is { ValueKind: JsonValueKind.Array } addedElement)
        {
            int k = 0;
            foreach (var e in addedElement.EnumerateArray())
            {
                long id = JsonFile.Long(e, "id", path, $"added_tokens[{k}].id") ?? throw new ModelFormatException(path, $"field 'added_tokens[{k}].id' is missing");
                added.Add(TokenizerConfig.ReadAddedToken(e, (int)id, path, $"added_tokens[{k++}]") with { Normalized = false });
            }
        }
        var (template, _, _) = SpecialTokensTemplate.Read(root, path, vocab, added);
        int pad = vocab.TryGetValue("<pad>", out int padId) ? padId : 0;
        if (JsonFile.Get(root, "padding") is { ValueKind: JsonValueKind.Object } padding)
            pad = (int)(JsonFile.Long(padding, "pad_id", path, "padding.pad_id") ?? pad);
        return new SentencePieceBpeTokenizer(bpe, template, added, normalizer, pad, text);
    }

    /// <inheritdoc />
    public TokenizedText Encode(string text, int maxLength = 512, bool addSpecialTokens = true) => _core.Encode(text, maxLength, addSpecialTokens);

    /// <inheritdoc />
    public string? IdToToken(int id) => _core.IdToToken(id);

    /// <inheritdoc />
    public int? TokenToId(string token) => _core.TokenToId(token);

    /// <summary>Writes the tokenizer.json it was loaded from (atomically).</summary>
    public void Save(string folder) => TokenizerCore.SaveTokenizerJson(folder, _tokenizerJson);

    [ThreadStatic] private static List<int>? t_ids, t_lengths;

    /// <summary>Normalizer, then BPE over the whole normalized <c>text[from..to)</c>; false once the budget is full.</summary>
    private bool Segment(ReadOnlySpan<char> text, int from, int to, int budget, EncodeScratch s)
    {
        var src = s.NormA;
        src.Clear();
        src.EnsureRoom(to - from);
        for (int i = from; i < to; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < to && char.IsLowSurrogate(text[i + 1])) { src.Append(char.ConvertToUtf32(c, text[i + 1]), i, i + 2); i++; }
            else src.Append(char.IsSurrogate(c) ? 0xFFFD : c, i, i + 1);
        }
        if (_normalizer is not null) { _normalizer.Normalize(src, s.NormB, from); src = s.NormB; }
        if (src.Length == 0) return true;
        var ids = t_ids ??= new List<int>(); var lengths = t_lengths ??= new List<int>();
        ids.Clear(); lengths.Clear();
        _model.Tokenize(src.Span, ids, lengths);
        int pos = 0, start = 0, end = 0;
        for (int k = 0; k < ids.Count; k++)
        {
            // A byte-fallback token after the first of its character has length 0 and shares the character's span.
            if (lengths[k] > 0) { start = src.Starts[pos]; end = src.Ends[pos + lengths[k] - 1]; pos += lengths[k]; }
            s.Add(ids[k], start, end);
            if (s.Count >= budget) return false;
        }
        return true;
    }
}
