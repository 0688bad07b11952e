using MLNet.Embeddings.Tokenization.Normalization;

namespace MLNet.Embeddings.Tokenization.WordPiece;

/// <summary>
/// Greedy longest-match-first WordPiece over one pre-tokenized word (HF <c>models/wordpiece</c>):
/// from the start of the word take the longest vocabulary entry, then the longest continuation
/// (<c>##</c> + piece) from where it ended, and so on; if some position matches nothing, or the word has
/// more than <c>max_input_chars_per_word</c> characters, the whole word becomes the unknown token.
/// Lookups are by span (no substring is allocated): continuation pieces live in a second dictionary
/// keyed without their prefix, and no candidate longer than the longest entry is tried.
/// </summary>
internal sealed class WordPieceModel
{
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _words;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuations;
    private readonly int _maxWordPiece, _maxContinuation;

    public WordPieceModel(Dictionary<string, int> vocab, int unkId, string continuingSubwordPrefix, int maxInputCharsPerWord)
    {
        Vocab = vocab;
        UnkId = unkId;
        Prefix = continuingSubwordPrefix;
        MaxInputCharsPerWord = maxInputCharsPerWord;
        var words = new Dictionary<string, int>(vocab, StringComparer.Ordinal);
        var continuations = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in vocab)
            if (token.StartsWith(Prefix, StringComparison.Ordinal))
                continuations[token[Prefix.Length..]] = id;
        _words = words.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuations = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
        _maxWordPiece = words.Count == 0 ? 0 : words.Keys.Max(k => k.Length);
        _maxContinuation = continuations.Count == 0 ? 0 : continuations.Keys.Max(k => k.Length);
    }

    /// <summary>Token → id.</summary>
    public Dictionary<string, int> Vocab { get; }
    /// <summary>Id of the unknown token.</summary>
    public int UnkId { get; }
    /// <summary>Prefix of pieces that continue a word (<c>##</c>).</summary>
    public string Prefix { get; }
    /// <summary>Longer words (in characters) become the unknown token.</summary>
    public int MaxInputCharsPerWord { get; }

    /// <summary>
    /// Tokenizes the word <c>norm[wordStart..wordEnd)</c> and appends its pieces to <paramref name="output"/>
    /// with offsets in the original text.
    /// </summary>
    public void Tokenize(NormalizedText norm, int wordStart, int wordEnd, EncodeScratch output)
    {
        var word = norm.Chars.AsSpan(wordStart, wordEnd - wordStart);
        int wordOrigStart = norm.Starts[wordStart], wordOrigEnd = norm.Ends[wordEnd - 1];
        if (word.Length > MaxInputCharsPerWord && CountCodePoints(word) > MaxInputCharsPerWord)
        {
            output.Add(UnkId, wordOrigStart, wordOrigEnd);
            return;
        }
        int mark = output.Count;
        int start = 0;
        while (start < word.Length)
        {
            int end = Math.Min(word.Length, start + (start == 0 ? _maxWordPiece : _maxContinuation));
            int id = -1;
            while (end > start)
            {
                var piece = word[start..end];
                if (start == 0 ? _words.TryGetValue(piece, out id) : _continuations.TryGetValue(piece, out id)) break;
                id = -1;
                end -= end - start >= 2 && char.IsLowSurrogate(word[end - 1]) && char.IsHighSurrogate(word[end - 2]) ? 2 : 1;
            }
            if (id < 0)
            {
                output.Count = mark;
                output.Add(UnkId, wordOrigStart, wordOrigEnd);
                return;
            }
            output.Add(id, norm.Starts[wordStart + start], norm.Ends[wordStart + end - 1]);
            start = end;
        }
    }

    private static int CountCodePoints(ReadOnlySpan<char> s)
    {
        int n = s.Length;
        for (int i = 0; i + 1 < s.Length; i++)
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1])) { n--; i++; }
        return n;
    }
}
