using System.Text;
using System.Text.Json;
using MLNet.Embeddings.Models;
using System.Text.RegularExpressions;

namespace MLNet.Embeddings.Tokenization.Bpe;

/// <summary>
/// Byte-level BPE (GPT-2 / RoBERTa / GPT-NeoX / Qwen2 family) from a Hugging Face tokenizer.json: added tokens, an
/// optional <c>NFC</c> normalizer, the <c>ByteLevel</c> pre-tokenizer (GPT-2 split pattern, bytes as printable
/// characters, optional prefix space) or Qwen2's <c>Sequence</c> of a regex <c>Split</c> (Isolated) and a
/// <c>ByteLevel</c> without its own regex, BPE merges by rank,
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
    private readonly Regex _split;
    private readonly bool _nfc;

    private BpeTokenizer(BpeModel model, SpecialTokensTemplate template, IReadOnlyList<AddedToken> added, bool addPrefixSpace, int padId, string json,
        Regex split, bool nfc)
    {
        _split = split;
        _nfc = nfc;
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
    /// Loads a tokenizer.json with a BPE model (normalizer null or NFC; pre_tokenizer ByteLevel, or Sequence of
    /// Split (Regex pattern, Isolated) and ByteLevel (use_regex false); post_processor RobertaProcessing /
    /// TemplateProcessing / ByteLevel / null).
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

        bool nfc = false;
        if (JsonFile.Get(root, "normalizer") is { } n)
        {
            string? nType = JsonFile.String(n, "type", path, "normalizer.type");
            if (nType != "NFC") throw new ModelFormatException(path, $"field 'normalizer.type': expected null or NFC for BPE, found '{nType}'");
            nfc = true;
        }
        var pre = JsonFile.Get(root, "pre_tokenizer");
        string? preType = pre is { } pt ? JsonFile.String(pt, "type", path, "pre_tokenizer.type") : null;
        Regex split = ByteLevel.Pattern();
        string preField = "pre_tokenizer";
        if (preType == "Sequence")
        {
            // Qwen2: [Split(Regex, Isolated), ByteLevel(use_regex false)]
            var list = JsonFile.Require(pre!.Value, "pretokenizers", path, "pre_tokenizer.pretokenizers");
            if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() != 2)
                throw new ModelFormatException(path, "field 'pre_tokenizer.pretokenizers': expected [Split, ByteLevel]");
            var sp = list[0];
            if (JsonFile.String(sp, "type", path, "pre_tokenizer.pretokenizers[0].type") != "Split")
                throw new ModelFormatException(path, "field 'pre_tokenizer.pretokenizers[0].type': expected Split");
            var pattern = JsonFile.Require(sp, "pattern", path, "pre_tokenizer.pretokenizers[0].pattern");
            string? regex = JsonFile.String(pattern, "Regex", path, "pre_tokenizer.pretokenizers[0].pattern.Regex")
                ?? throw new ModelFormatException(path, "field 'pre_tokenizer.pretokenizers[0].pattern.Regex' is missing (String patterns are not supported)");
            if (JsonFile.String(sp, "behavior", path, "pre_tokenizer.pretokenizers[0].behavior") is { } behavior && behavior != "Isolated")
                throw new ModelFormatException(path, $"field 'pre_tokenizer.pretokenizers[0].behavior': expected Isolated, found '{behavior}'");
            if (JsonFile.Bool(sp, "invert", path, "pre_tokenizer.pretokenizers[0].invert") == true)
                throw new ModelFormatException(path, "field 'pre_tokenizer.pretokenizers[0].invert': true is not supported");
            try { split = new Regex(regex, RegexOptions.CultureInvariant | RegexOptions.Compiled); }
            catch (ArgumentException e) { throw new ModelFormatException(path, $"field 'pre_tokenizer.pretokenizers[0].pattern.Regex': {e.Message}"); }
            pre = list[1];
            preField = "pre_tokenizer.pretokenizers[1]";
            preType = JsonFile.String(pre.Value, "type", path, preField + ".type");
            if (preType != "ByteLevel") throw new ModelFormatException(path, $"field '{preField}.type': expected ByteLevel, found '{preType}'");
            if (JsonFile.Bool(pre.Value, "use_regex", path, preField + ".use_regex") != false)
                throw new ModelFormatException(path, $"field '{preField}.use_regex': expected false after a Split");
        }
        else if (preType != "ByteLevel")
            throw new ModelFormatException(path, $"field 'pre_tokenizer.type': expected ByteLevel or Sequence, found '{preType ?? "null"}'");
        else if (JsonFile.Bool(pre!.Value, "use_regex", path, "pre_tokenizer.use_regex") == false)
            throw new ModelFormatException(path, "field 'pre_tokenizer.use_regex': false is not supported");
        bool addPrefixSpace = JsonFile.Bool(pre!.Value, "add_prefix_space", path, preField + ".add_prefix_space") ?? true;

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
        return new BpeTokenizer(bpe, template, added, addPrefixSpace, pad, text, split, nfc);
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
        int[]? nStart = null, nEnd = null;
        if (_nfc && !text[from..to].IsNormalized(NormalizationForm.FormC))
        {
            (var normalized, nStart, nEnd) = Nfc(text, from, to);
            text = normalized; from = 0; to = normalized.Length;
        }
        bool prefix = _addPrefixSpace && text[from] != ' ';
        ReadOnlySpan<char> seg = prefix ? string.Concat(" ", text[from..to]) : text[from..to];
        int shift = prefix ? 1 : 0;
        var b = Buffers.Get();
        int done = 0;
        foreach (var m in _split.EnumerateMatches(seg))
        {
            // Isolated split: the text between matches is a piece of its own.
            if (m.Index > done && !Piece(seg, done, m.Index, shift, from, nStart, nEnd, b, budget, s)) return false;
            if (m.Length > 0 && !Piece(seg, m.Index, m.Index + m.Length, shift, from, nStart, nEnd, b, budget, s)) return false;
            done = m.Index + m.Length;
        }
        if (done < seg.Length && !Piece(seg, done, seg.Length, shift, from, nStart, nEnd, b, budget, s)) return false;
        return true;
    }

    /// <summary>
    /// NFC of <c>text[from..to)</c> with each output character's span in the original: a base character and the marks
    /// that follow it are composed together; the k-th character they compose to keeps the k-th input character's span.
    /// </summary>
    private static (string Text, int[] Starts, int[] Ends) Nfc(ReadOnlySpan<char> text, int from, int to)
    {
        var sb = new StringBuilder(to - from);
        var starts = new List<int>(to - from); var ends = new List<int>(to - from);
        int i = from;
        while (i < to)
        {
            int j = i + (char.IsHighSurrogate(text[i]) && i + 1 < to && char.IsLowSurrogate(text[i + 1]) ? 2 : 1);
            while (j < to && IsMark(text, j, to)) j += char.IsHighSurrogate(text[j]) && j + 1 < to ? 2 : 1;
            string run = text[i..j].ToString().Normalize(NormalizationForm.FormC);
            sb.Append(run);
            // As HF's NFC alignment: output character k keeps the span of the run's k-th input character.
            for (int k = 0; k < run.Length; k++)
            {
                int at = Math.Min(i + k, j - 1);
                if (char.IsLowSurrogate(text[at]) && at > i) at--;
                starts.Add(at); ends.Add(at + (char.IsHighSurrogate(text[at]) && at + 1 < j ? 2 : 1));
            }
            i = j;
        }
        return (sb.ToString(), starts.ToArray(), ends.ToArray());
    }

    private static bool IsMark(ReadOnlySpan<char> text, int i, int to)
    {
        var cat = char.IsHighSurrogate(text[i]) && i + 1 < to
            ? System.Globalization.CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]))
            : System.Globalization.CharUnicodeInfo.GetUnicodeCategory(text[i]);
        // Hangul vowel and trailing jamo compose with the syllable before them.
        return cat is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark
            or System.Globalization.UnicodeCategory.EnclosingMark || text[i] is >= '\u1160' and <= '\u11FF';
    }

    /// <summary>Byte-level encodes one pre-token <c>seg[a..b)</c> and runs BPE on it; false once the budget is full.</summary>
    private bool Piece(ReadOnlySpan<char> seg, int a, int e, int shift, int from, int[]? nStart, int[]? nEnd, Buffers b, int budget, EncodeScratch s)
    {
        Span<byte> utf8 = stackalloc byte[4];
        {
            b.Ensure((e - a) * 3 + 4);
            int len = 0;
            for (int i = a; i < e;)
            {
                int w = char.IsHighSurrogate(seg[i]) && i + 1 < seg.Length && char.IsLowSurrogate(seg[i + 1]) ? 2 : 1;
                int n = Encoding.UTF8.GetBytes(seg.Slice(i, w), utf8);
                int os = Math.Max(0, i - shift) + from, oe = Math.Max(1, i + w - shift) + from;
                if (nStart is not null) { os = nStart[Math.Max(0, i - shift)]; oe = nEnd![Math.Max(0, i + w - 1 - shift)]; }
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
