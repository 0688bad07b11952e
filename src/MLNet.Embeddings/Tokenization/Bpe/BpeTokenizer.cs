using System.Text;
using System.Text.Json;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Tokenization.Bpe;

/// <summary>
/// Byte-level BPE (GPT-2 / RoBERTa family) from a Hugging Face tokenizer.json: added tokens, the <c>ByteLevel</c>
/// pre-tokenizer (GPT-2 split pattern, bytes as printable characters, optional prefix space), BPE merges by rank,
/// and the post-processor (<c>RobertaProcessing</c> <c>&lt;s&gt; … &lt;/s&gt;</c>, <c>TemplateProcessing</c> or
/// <c>ByteLevel</c>) with its offset trimming. Ids are identical to HF tokenizers. Thread-safe.
/// </summary>
public sealed class BpeTokenizer : ITokenizer
{
    private readonly BpeModel _model;
    private readonly SpecialTokensTemplate _template;
    private readonly TokenizerCore _core;
    private readonly HashSet<int> _addedIds;
    private readonly bool _addPrefixSpace;
    private readonly string _tokenizerJson;

    private BpeTokenizer(BpeModel model, SpecialTokensTemplate template, IReadOnlyList<AddedToken> added, bool addPrefixSpace, int padId, string json)
    {
        _model = model;
        _template = template;
        AddedTokens = added;
        _addPrefixSpace = addPrefixSpace;
        PadId = padId;
        _tokenizerJson = json;
        _addedIds = added.Select(t => t.Id).ToHashSet();
        _core = new TokenizerCore(template, model.Vocab, model.Vocab, added, firstAddedWins: true, Segment,
            template.TrimOffsets ? TrimOffsets : null);
    }

    /// <summary>Tokens matched verbatim before the model (e.g. <c>&lt;s&gt;</c>, <c>&lt;mask&gt;</c>).</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }
    /// <inheritdoc />
    public int VocabSize => _core.VocabSize;
    /// <inheritdoc />
    public int PadId { get; }

    /// <summary>
    /// Loads a tokenizer.json with a BPE model (normalizer null, pre_tokenizer ByteLevel, post_processor
    /// RobertaProcessing / TemplateProcessing / ByteLevel / null).
    /// </summary>
    /// <exception cref="ModelFormatException">Missing or malformed file, or an unsupported component; names the field.</exception>
    public static BpeTokenizer FromTokenizerJson(string path)
    {
        string text = TokenizerCore.ReadJsonText(path);
        using var doc = JsonFile.Parse(path, text);
        var root = doc.RootElement;
        var model = JsonFile.Require(root, "model", path, "model");
        string? type = JsonFile.String(model, "type", path, "model.type");
        if (type != "BPE") throw new ModelFormatException(path, $"field 'model.type': expected BPE, found '{type}'");
        var vocabElement = JsonFile.Require(model, "vocab", path, "model.vocab");
        if (vocabElement.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException(path, "field 'model.vocab': expected an object of token → id");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in vocabElement.EnumerateObject())
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
        if (JsonFile.Get(model, "dropout") is { } dropout && dropout.GetDouble() > 0)
            throw new ModelFormatException(path, "field 'model.dropout': BPE dropout is not supported at inference");
        if (JsonFile.Bool(model, "byte_fallback", path, "model.byte_fallback") == true)
            throw new ModelFormatException(path, "field 'model.byte_fallback': not supported");
        string? unkToken = JsonFile.String(model, "unk_token", path, "model.unk_token");
        int? unk = unkToken is null ? null : vocab.TryGetValue(unkToken, out int u) ? u
            : throw new ModelFormatException(path, $"field 'model.unk_token': '{unkToken}' is not in model.vocab");
        var bpe = new BpeModel(vocab, merges, unk, JsonFile.Bool(model, "fuse_unk", path, "model.fuse_unk") ?? false,
            JsonFile.String(model, "continuing_subword_prefix", path, "model.continuing_subword_prefix") ?? "",
            JsonFile.String(model, "end_of_word_suffix", path, "model.end_of_word_suffix") ?? "",
            JsonFile.Bool(model, "ignore_merges", path, "model.ignore_merges") ?? false, path);

        if (JsonFile.Get(root, "normalizer") is { } n)
            throw new ModelFormatException(path, $"field 'normalizer.type': expected null for BPE, found '{JsonFile.String(n, "type", path, "normalizer.type")}'");
        var pre = JsonFile.Get(root, "pre_tokenizer");
        string? preType = pre is { } pt ? JsonFile.String(pt, "type", path, "pre_tokenizer.type") : null;
        if (preType != "ByteLevel")
            throw new ModelFormatException(path, $"field 'pre_tokenizer.type': expected ByteLevel, found '{preType ?? "null"}'");
        if (JsonFile.Bool(pre!.Value, "use_regex", path, "pre_tokenizer.use_regex") == false)
            throw new ModelFormatException(path, "field 'pre_tokenizer.use_regex': false is not supported");
        bool addPrefixSpace = JsonFile.Bool(pre.Value, "add_prefix_space", path, "pre_tokenizer.add_prefix_space") ?? true;

        var added = new List<AddedToken>();
        if (JsonFile.Get(root, "added_tokens") is { ValueKind: JsonValueKind.Array } addedElement)
        {
            int k = 0;
            foreach (var e in addedElement.EnumerateArray())
            {
                long id = JsonFile.Long(e, "id", path, $"added_tokens[{k}].id") ?? throw new ModelFormatException(path, $"field 'added_tokens[{k}].id' is missing");
                var t = TokenizerConfig.ReadAddedToken(e, (int)id, path, $"added_tokens[{k++}]");
                // without a normalizer, normalized and raw matching are the same
                added.Add(t with { Normalized = false });
            }
        }
        var (template, _, _) = SpecialTokensTemplate.Read(root, path, vocab, added);
        int pad = vocab.TryGetValue("<pad>", out int padId) ? padId : 0;
        if (JsonFile.Get(root, "padding") is { ValueKind: JsonValueKind.Object } padding)
            pad = (int)(JsonFile.Long(padding, "pad_id", path, "padding.pad_id") ?? pad);
        return new BpeTokenizer(bpe, template, added, addPrefixSpace, pad, text);
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

    /// <summary>Per-thread buffers of <see cref="Segment"/>.</summary>
    private sealed class Buffers
    {
        [ThreadStatic] private static Buffers? t_cached;
        public static Buffers Get() => t_cached ??= new Buffers();
        public readonly List<int> Ids = new(), Lengths = new();
        public char[] Mapped = new char[256];
        public int[] ByteStart = new int[256], ByteEnd = new int[256];

        public void Ensure(int n)
        {
            if (n <= Mapped.Length) return;
            int size = Math.Max(n, Mapped.Length * 2);
            Mapped = new char[size]; ByteStart = new int[size]; ByteEnd = new int[size];
        }
    }

    /// <summary>Pre-tokenizes and encodes <c>text[from..to)</c>; false once the budget is full.</summary>
    private bool Segment(ReadOnlySpan<char> text, int from, int to, int budget, EncodeScratch s)
    {
        // HF adds the prefix space to every segment between added tokens; it is aligned with the segment's first character.
        bool prefix = _addPrefixSpace && text[from] != ' ';
        ReadOnlySpan<char> seg = prefix ? string.Concat(" ", text[from..to]) : text[from..to];
        int shift = prefix ? 1 : 0;
        var b = Buffers.Get();
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var m in ByteLevel.Pattern().EnumerateMatches(seg))
        {
            b.Ensure(m.Length * 3 + 4);
            int len = 0;
            for (int i = m.Index; i < m.Index + m.Length;)
            {
                int w = char.IsHighSurrogate(seg[i]) && i + 1 < seg.Length && char.IsLowSurrogate(seg[i + 1]) ? 2 : 1;
                int n = Encoding.UTF8.GetBytes(seg.Slice(i, w), utf8);
                int os = Math.Max(0, i - shift) + from, oe = Math.Max(1, i + w - shift) + from;
                for (int k = 0; k < n; k++, len++) { b.Mapped[len] = ByteLevel.ByteToChar[utf8[k]]; b.ByteStart[len] = os; b.ByteEnd[len] = oe; }
                i += w;
            }
            b.Ids.Clear(); b.Lengths.Clear();
            _model.Tokenize(b.Mapped.AsSpan(0, len), b.Ids, b.Lengths);
            int pos = 0;
            for (int k = 0; k < b.Ids.Count; k++)
            {
                s.Add(b.Ids[k], b.ByteStart[pos], b.ByteEnd[pos + b.Lengths[k] - 1]);
                pos += b.Lengths[k];
                if (s.Count >= budget) return false;
            }
        }
        return true;
    }

    /// <summary>HF <c>process_offsets</c>: leading/trailing spaces (<c>Ġ</c> or whitespace) of a token leave its offsets.</summary>
    private void TrimOffsets(string text, EncodeScratch s)
    {
        for (int i = 0; i < s.Count; i++)
        {
            // an added token's value is the matched text, stripped spaces included
            string? token = _addedIds.Contains(s.Ids[i]) ? text[s.Starts[i]..s.Ends[i]] : IdToToken(s.Ids[i]);
            if (token is null) continue;
            int lead = 0, trail = 0;
            while (lead < token.Length && IsSpace(token[lead])) lead++;
            while (trail < token.Length && IsSpace(token[token.Length - 1 - trail])) trail++;
            if (lead > 0)
            {
                bool first = i == 0 || s.Starts[i] == 0;
                if (!(first && _template.AddPrefixSpace && lead == 1))
                    s.Starts[i] = Math.Min(s.Starts[i] + lead, s.Ends[i]);
            }
            if (trail > 0 && s.Ends[i] >= trail) s.Ends[i] = Math.Max(s.Ends[i] - trail, s.Starts[i]);
        }
    }

    private static bool IsSpace(char c) => c == 'Ġ' || char.IsWhiteSpace(c);
}
