using System.Text.Json;
using MLNet.Embeddings.Tokenization.Normalization;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Tokenization.Unigram;

/// <summary>
/// SentencePiece Unigram (XLM-R family) from a Hugging Face tokenizer.json: added tokens, the <c>Metaspace</c>
/// pre-tokenizer (spaces become <c>▁</c>, a <c>▁</c> is prepended per <c>prepend_scheme</c>, split before each
/// <c>▁</c>), Viterbi segmentation with fused unknowns, and the post-processor (<c>TemplateProcessing</c>).
/// The normalizer runs first on the text between added tokens: SentencePiece's <c>Precompiled</c> charsmap of real
/// XLM-R files, <c>Replace</c>, <c>Strip</c>, <c>Lowercase</c> and <c>Sequence</c> (see <see cref="NormalizerJson"/>),
/// with HF's alignment bookkeeping so offsets point into the original text. Thread-safe.
/// </summary>
public sealed class UnigramTokenizer : ITokenizer
{
    private readonly UnigramModel _model;
    private readonly TokenizerCore _core;
    private readonly char _replacement;
    private readonly string _prependScheme;
    private readonly bool _split;
    private readonly string _tokenizerJson;
    private readonly ITextNormalizer? _normalizer;

    private UnigramTokenizer(UnigramModel model, SpecialTokensTemplate template, IReadOnlyList<AddedToken> added,
        ITextNormalizer? normalizer, char replacement, string prependScheme, bool split, int padId, string json)
    {
        _model = model;
        _normalizer = normalizer;
        AddedTokens = added;
        _replacement = replacement;
        _prependScheme = prependScheme;
        _split = split;
        PadId = padId;
        _tokenizerJson = json;
        _core = new TokenizerCore(template, model.Ids, model.Pieces.Select((piece, id) => KeyValuePair.Create(piece, id)),
            added, firstAddedWins: true, Segment);
    }

    /// <summary>Tokens matched verbatim before the model (e.g. <c>&lt;s&gt;</c>, <c>&lt;mask&gt;</c>).</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }
    /// <inheritdoc />
    public int VocabSize => _core.VocabSize;
    /// <inheritdoc />
    public int PadId { get; }

    /// <summary>
    /// Loads a tokenizer.json with a Unigram model (normalizer null, Precompiled, Replace, Strip, Lowercase or a
    /// Sequence of them; pre_tokenizer Metaspace; post_processor TemplateProcessing or null).
    /// </summary>
    /// <exception cref="ModelFormatException">Missing or malformed file, or an unsupported component; names the field.</exception>
    public static UnigramTokenizer FromTokenizerJson(string path)
    {
        string text = TokenizerCore.ReadJsonText(path);
        using var doc = JsonFile.Parse(path, text);
        var root = doc.RootElement;
        var model = JsonFile.Require(root, "model", path, "model");
        string? type = JsonFile.String(model, "type", path, "model.type");
        if (type != "Unigram") throw new ModelFormatException(path, $"field 'model.type': expected Unigram, found '{type}'");
        var vocabElement = JsonFile.Require(model, "vocab", path, "model.vocab");
        if (vocabElement.ValueKind != JsonValueKind.Array)
            throw new ModelFormatException(path, "field 'model.vocab': expected an array of [piece, score]");
        var vocab = new List<(string, double)>();
        foreach (var e in vocabElement.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 2 || e[0].ValueKind != JsonValueKind.String || e[1].ValueKind != JsonValueKind.Number)
                throw new ModelFormatException(path, $"field 'model.vocab[{vocab.Count}]': expected [piece, score]");
            vocab.Add((e[0].GetString()!, e[1].GetDouble()));
        }
        if (vocab.Count == 0) throw new ModelFormatException(path, "field 'model.vocab' is empty");
        long unk = JsonFile.Long(model, "unk_id", path, "model.unk_id")
            ?? throw new ModelFormatException(path, "field 'model.unk_id': required (null is not supported)");
        if (unk < 0 || unk >= vocab.Count) throw new ModelFormatException(path, $"field 'model.unk_id': {unk} is outside model.vocab");
        if (JsonFile.Bool(model, "byte_fallback", path, "model.byte_fallback") == true)
            throw new ModelFormatException(path, "field 'model.byte_fallback': not supported");

        var normalizer = NormalizerJson.Read(JsonFile.Get(root, "normalizer"), path, "normalizer");
        var pre = JsonFile.Get(root, "pre_tokenizer");
        string? preType = pre is { } pt ? JsonFile.String(pt, "type", path, "pre_tokenizer.type") : null;
        if (preType != "Metaspace")
            throw new ModelFormatException(path, $"field 'pre_tokenizer.type': expected Metaspace, found '{preType ?? "null"}'");
        string replacement = JsonFile.String(pre!.Value, "replacement", path, "pre_tokenizer.replacement") ?? "▁";
        if (replacement.Length != 1) throw new ModelFormatException(path, "field 'pre_tokenizer.replacement': expected one character");
        string scheme = JsonFile.String(pre.Value, "prepend_scheme", path, "pre_tokenizer.prepend_scheme")
            ?? ((JsonFile.Bool(pre.Value, "add_prefix_space", path, "pre_tokenizer.add_prefix_space") ?? true) ? "always" : "never");
        if (scheme is not ("always" or "first" or "never"))
            throw new ModelFormatException(path, $"field 'pre_tokenizer.prepend_scheme': expected always, first or never, found '{scheme}'");
        bool split = JsonFile.Bool(pre.Value, "split", path, "pre_tokenizer.split") ?? true;

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < vocab.Count; i++) ids.TryAdd(vocab[i].Item1, i);
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
        var (template, _, _) = SpecialTokensTemplate.Read(root, path, ids, added);
        int pad = ids.TryGetValue("<pad>", out int p) ? p : 0;
        return new UnigramTokenizer(new UnigramModel(vocab, (int)unk), template, added, normalizer, replacement[0], scheme, split, pad, text);
    }

    /// <inheritdoc />
    public TokenizedText Encode(string text, int maxLength = 512, bool addSpecialTokens = true)
        => _core.Encode(text, maxLength, addSpecialTokens);

    /// <inheritdoc />
    public string? IdToToken(int id) => _core.IdToToken(id);

    /// <inheritdoc />
    public int? TokenToId(string token) => _core.TokenToId(token);

    /// <summary>Writes the tokenizer.json it was loaded from (atomically).</summary>
    public void Save(string folder) => TokenizerCore.SaveTokenizerJson(folder, _tokenizerJson);

    [ThreadStatic] private static List<(int Id, int Start, int End)>? t_pieces;

    /// <summary>Normalizer, Metaspace, then Viterbi per piece, for <c>text[from..to)</c>; false once the budget is full.</summary>
    private bool Segment(ReadOnlySpan<char> text, int from, int to, int budget, EncodeScratch s)
    {
        var src = s.NormA;
        Load(text, from, to, src);
        if (_normalizer is not null)
        {
            _normalizer.Normalize(src, s.NormB, from);
            src = s.NormB;
        }
        var norm = s.Norm;
        norm.Clear();
        if (src.Length == 0) return true;
        // HF Metaspace: spaces become the replacement; a replacement is prepended (spanning the first character)
        // unless the text already starts with one.
        char first = src.Chars[0] == ' ' ? _replacement : src.Chars[0];
        bool prepend = first != _replacement && (_prependScheme == "always" || (_prependScheme == "first" && from == 0));
        norm.EnsureRoom(src.Length + 1);
        if (prepend) norm.Append(_replacement, src.Starts[0], src.Ends[0]);
        for (int i = 0; i < src.Length; i++)
            norm.Append(src.Chars[i] == ' ' ? _replacement : src.Chars[i], src.Starts[i], src.Ends[i]);
        var pieces = t_pieces ??= new List<(int, int, int)>();
        int pieceStart = 0;
        for (int i = 1; i <= norm.Length; i++)
        {
            if (i < norm.Length && !(_split && norm.Chars[i] == _replacement)) continue;
            pieces.Clear();
            _model.Encode(norm.Chars.AsSpan(pieceStart, i - pieceStart), pieces);
            foreach (var (id, a, b) in pieces)
            {
                s.Add(id, norm.Starts[pieceStart + a], norm.Ends[pieceStart + b - 1]);
                if (s.Count >= budget) return false;
            }
            pieceStart = i;
        }
        return true;
    }

    /// <summary>
    /// <c>text[from..to)</c> as an aligned text: each code point spans itself (both halves of a surrogate pair span
    /// the pair); a lone surrogate becomes U+FFFD, which is what HF receives for it.
    /// </summary>
    private static void Load(ReadOnlySpan<char> text, int from, int to, NormalizedText dest)
    {
        dest.Clear();
        dest.EnsureRoom(to - from);
        for (int i = from; i < to; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < to && char.IsLowSurrogate(text[i + 1]))
            {
                dest.Append(char.ConvertToUtf32(c, text[i + 1]), i, i + 2);
                i++;
            }
            else dest.Append(char.IsSurrogate(c) ? 0xFFFD : c, i, i + 1);
        }
    }
}
