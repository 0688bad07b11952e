using MLNet.Embeddings.Models;
namespace MLNet.Embeddings.Tokenization;

/// <summary>
/// What the WordPiece, BPE and Unigram tokenizers share: the id ↔ token tables (model vocabulary plus added
/// tokens) and the Encode skeleton — split the raw text on added tokens, hand the parts between them to the
/// model's segment encoder until the token budget (max length less the special tokens) is full, then apply
/// the special-token template.
/// </summary>
internal sealed class TokenizerCore
{
    /// <summary>Encodes <c>text[from..to)</c> into <paramref name="s"/>; false once <paramref name="budget"/> tokens are found.</summary>
    public delegate bool SegmentEncoder(ReadOnlySpan<char> text, int from, int to, int budget, EncodeScratch s);

    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<string, int> _addedByContent;
    private readonly string?[] _idToToken;
    private readonly AddedTokenMatcher? _rawAdded;
    private readonly SegmentEncoder _segment;
    private readonly Action<string, EncodeScratch>? _afterRun;

    /// <param name="template">Special tokens put around the text.</param>
    /// <param name="vocab">The model's token → id lookup (used by <see cref="TokenToId"/>).</param>
    /// <param name="idTokens">The model's (token, id) pairs that fill the id → token table, in order.</param>
    /// <param name="added">Added tokens; those not <see cref="AddedToken.Normalized"/> are matched in the raw text.</param>
    /// <param name="firstAddedWins">For a content added twice, <see cref="TokenToId"/> gives the first id (else the last).</param>
    /// <param name="segment">Encodes the text between added tokens.</param>
    /// <param name="afterRun">Optional step on the tokens before the template (e.g. offset trimming).</param>
    public TokenizerCore(SpecialTokensTemplate template, Dictionary<string, int> vocab, IEnumerable<KeyValuePair<string, int>> idTokens,
        IReadOnlyList<AddedToken> added, bool firstAddedWins, SegmentEncoder segment, Action<string, EncodeScratch>? afterRun = null)
    {
        Template = template;
        _vocab = vocab;
        _segment = segment;
        _afterRun = afterRun;
        var raw = added.Where(t => !t.Normalized).ToList();
        if (raw.Count > 0) _rawAdded = new AddedTokenMatcher(raw);
        _addedByContent = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in added)
            if (!firstAddedWins || !_addedByContent.ContainsKey(t.Content)) _addedByContent[t.Content] = t.Id;
        var pairs = idTokens.ToList();
        int size = Math.Max(pairs.Select(p => p.Value).DefaultIfEmpty(-1).Max(), added.Select(t => t.Id).DefaultIfEmpty(-1).Max()) + 1;
        _idToToken = new string?[size];
        foreach (var (token, id) in pairs) _idToToken[id] = token;
        foreach (var t in added) _idToToken[t.Id] = t.Content;
    }

    /// <summary>Special tokens put around the text.</summary>
    public SpecialTokensTemplate Template { get; }

    /// <summary>Size of the id space (model vocabulary and added tokens).</summary>
    public int VocabSize => _idToToken.Length;

    /// <summary>The token of an id, or null when there is none.</summary>
    public string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    /// <summary>The id of a token (added tokens first, then the model vocabulary), or null.</summary>
    public int? TokenToId(string token)
        => _addedByContent.TryGetValue(token, out int a) ? a : _vocab.TryGetValue(token, out int id) ? id : null;

    /// <summary>The <see cref="ITokenizer.Encode"/> skeleton: budget, added-token split, segments, template.</summary>
    public TokenizedText Encode(string text, int maxLength, bool addSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        var s = EncodeScratch.Rent();
        try
        {
            int budget = addSpecialTokens ? maxLength - Template.Count : maxLength;
            if (budget > 0) Run(text, budget, s);
            _afterRun?.Invoke(text, s);
            return Template.Build(s, maxLength, addSpecialTokens);
        }
        finally
        {
            EncodeScratch.Return(s);
        }
    }

    /// <summary>Splits on added tokens in the raw text and encodes the parts between them.</summary>
    private void Run(ReadOnlySpan<char> text, int budget, EncodeScratch s)
    {
        int done = 0;
        if (_rawAdded is not null)
        {
            while (done < text.Length && _rawAdded.FindNext(text, done, done, out int start, out int end, out int id))
            {
                if (done < start && !_segment(text, done, start, budget, s)) return;
                if (s.Count >= budget) return;
                s.Add(id, start, end);
                done = end;
            }
        }
        if (done < text.Length) _segment(text, done, text.Length, budget, s);
    }

    /// <summary>Reads a tokenizer.json as text; a missing file is a <see cref="ModelFormatException"/>.</summary>
    public static string ReadJsonText(string path)
    {
        try { return File.ReadAllText(path); }
        catch (FileNotFoundException ex) { throw new ModelFormatException(path, "file not found", ex); }
    }

    /// <summary>Writes <c>tokenizer.json</c> into <paramref name="folder"/> (atomically).</summary>
    public static void SaveTokenizerJson(string folder, string json)
    {
        Directory.CreateDirectory(folder);
        JsonFile.AtomicWrite(Path.Combine(folder, "tokenizer.json"), json);
    }
}
