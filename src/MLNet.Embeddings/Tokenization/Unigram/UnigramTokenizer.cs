using System.Text.Json;
using MLNet.Embeddings.Tokenization.Normalization;

namespace MLNet.Embeddings.Tokenization.Unigram;

/// <summary>
/// SentencePiece Unigram (XLM-R family) from a Hugging Face tokenizer.json: added tokens, the <c>Metaspace</c>
/// pre-tokenizer (spaces become <c>▁</c>, a <c>▁</c> is prepended per <c>prepend_scheme</c>, split before each
/// <c>▁</c>), Viterbi segmentation with fused unknowns, and the post-processor (<c>TemplateProcessing</c>).
/// Ids are identical to HF tokenizers for files without a normalizer; the SentencePiece <c>Precompiled</c>
/// normalizer of real XLM-R files is not supported yet. Thread-safe.
/// </summary>
public sealed class UnigramTokenizer : ITokenizer
{
    private readonly UnigramModel _model;
    private readonly TokenizerCore _core;
    private readonly char _replacement;
    private readonly string _prependScheme;
    private readonly bool _split;
    private readonly string _tokenizerJson;

    private UnigramTokenizer(UnigramModel model, SpecialTokensTemplate template, IReadOnlyList<AddedToken> added,
        char replacement, string prependScheme, bool split, int padId, string json)
    {
        _model = model;
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
    /// Loads a tokenizer.json with a Unigram model (normalizer null, pre_tokenizer Metaspace, post_processor
    /// TemplateProcessing or null).
    /// </summary>
    /// <exception cref="ModelFormatException">Missing or malformed file, or an unsupported component; names the field.</exception>
    public static UnigramTokenizer FromTokenizerJson(string path)
    {
        string text = TokenizerCore.ReadJsonText(path);
        using var doc = HfJson.Parse(path, text);
        var root = doc.RootElement;
        var model = HfJson.Require(root, "model", path, "model");
        string? type = HfJson.String(model, "type", path, "model.type");
        if (type != "Unigram") throw new ModelFormatException(path, $"field 'model.type': expected Unigram, found '{type}'");
        var vocabElement = HfJson.Require(model, "vocab", path, "model.vocab");
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
        long unk = HfJson.Long(model, "unk_id", path, "model.unk_id")
            ?? throw new ModelFormatException(path, "field 'model.unk_id': required (null is not supported)");
        if (unk < 0 || unk >= vocab.Count) throw new ModelFormatException(path, $"field 'model.unk_id': {unk} is outside model.vocab");
        if (HfJson.Bool(model, "byte_fallback", path, "model.byte_fallback") == true)
            throw new ModelFormatException(path, "field 'model.byte_fallback': not supported");

        if (HfJson.Get(root, "normalizer") is { } n)
            throw new ModelFormatException(path, $"field 'normalizer.type': expected null for Unigram, found '{HfJson.String(n, "type", path, "normalizer.type")}'");
        var pre = HfJson.Get(root, "pre_tokenizer");
        string? preType = pre is { } pt ? HfJson.String(pt, "type", path, "pre_tokenizer.type") : null;
        if (preType != "Metaspace")
            throw new ModelFormatException(path, $"field 'pre_tokenizer.type': expected Metaspace, found '{preType ?? "null"}'");
        string replacement = HfJson.String(pre!.Value, "replacement", path, "pre_tokenizer.replacement") ?? "▁";
        if (replacement.Length != 1) throw new ModelFormatException(path, "field 'pre_tokenizer.replacement': expected one character");
        string scheme = HfJson.String(pre.Value, "prepend_scheme", path, "pre_tokenizer.prepend_scheme")
            ?? ((HfJson.Bool(pre.Value, "add_prefix_space", path, "pre_tokenizer.add_prefix_space") ?? true) ? "always" : "never");
        if (scheme is not ("always" or "first" or "never"))
            throw new ModelFormatException(path, $"field 'pre_tokenizer.prepend_scheme': expected always, first or never, found '{scheme}'");
        bool split = HfJson.Bool(pre.Value, "split", path, "pre_tokenizer.split") ?? true;

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < vocab.Count; i++) ids.TryAdd(vocab[i].Item1, i);
        var added = new List<AddedToken>();
        if (HfJson.Get(root, "added_tokens") is { ValueKind: JsonValueKind.Array } addedElement)
        {
            int k = 0;
            foreach (var e in addedElement.EnumerateArray())
            {
                long id = HfJson.Long(e, "id", path, $"added_tokens[{k}].id") ?? throw new ModelFormatException(path, $"field 'added_tokens[{k}].id' is missing");
                added.Add(TokenizerConfig.ReadAddedToken(e, (int)id, path, $"added_tokens[{k++}]") with { Normalized = false });
            }
        }
        var (template, _, _) = SpecialTokensTemplate.Read(root, path, ids, added);
        int pad = ids.TryGetValue("<pad>", out int p) ? p : 0;
        return new UnigramTokenizer(new UnigramModel(vocab, (int)unk), template, added, replacement[0], scheme, split, pad, text);
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

    /// <summary>Metaspace, then Viterbi per piece, for <c>text[from..to)</c>; false once the budget is full.</summary>
    private bool Segment(ReadOnlySpan<char> text, int from, int to, int budget, EncodeScratch s)
    {
        var norm = s.Norm;
        norm.Clear();
        int firstWidth = char.IsHighSurrogate(text[from]) && from + 1 < to && char.IsLowSurrogate(text[from + 1]) ? 2 : 1;
        char first = text[from] == ' ' ? _replacement : text[from];
        bool prepend = first != _replacement && (_prependScheme == "always" || (_prependScheme == "first" && from == 0));
        if (prepend) norm.Append(_replacement, from, from + firstWidth);
        norm.EnsureRoom(to - from);
        for (int i = from; i < to; i++)
            norm.Append(text[i] == ' ' ? _replacement : text[i], i, i + 1);
        FixSurrogateSpans(norm, prepend ? 1 : 0);
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

    /// <summary>Both halves of a surrogate pair span the whole pair in the original text.</summary>
    private static void FixSurrogateSpans(NormalizedText norm, int from)
    {
        for (int i = from; i + 1 < norm.Length; i++)
            if (char.IsHighSurrogate(norm.Chars[i]) && char.IsLowSurrogate(norm.Chars[i + 1]))
            {
                norm.Ends[i] = norm.Ends[i + 1];
                norm.Starts[i + 1] = norm.Starts[i];
                i++;
            }
    }
}
