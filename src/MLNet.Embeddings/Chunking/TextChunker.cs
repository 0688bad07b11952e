using System.Globalization;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.Chunking;

/// <summary>
/// Splits long texts into windows of at most <see cref="MaxTokens"/> tokens that start and end on word boundaries,
/// using the tokenizer's character offsets, so that every chunk fits the model instead of being cut at its token limit.
/// Consecutive chunks share at most <see cref="Overlap"/> tokens (whole words). A boundary is whitespace or punctuation
/// between two tokens, or any edge of a character of a script written without spaces (Han, kana, Thai …), so Chinese
/// and Japanese text chunks between characters. A single word longer than the window is cut inside the word. Every
/// token of the text lies in some chunk; a text that fits is one chunk, the whole text.
/// </summary>
/// <example>
/// <code>
/// var chunker = TextChunker.For(encoder, maxTokens: 256, overlap: 32);
/// foreach (var chunk in chunker.Split(longText))
///     Console.WriteLine($"{chunk.Number}: [{chunk.Start}, {chunk.End}) {chunk.Tokens} tokens");
/// </code>
/// </example>
public sealed class TextChunker
{
    readonly ITokenizer _tokenizer;
    readonly bool _lowerCase;

    /// <summary>A chunker over <paramref name="tokenizer"/>.</summary>
    /// <param name="tokenizer">The model's tokenizer (its offsets give the word boundaries).</param>
    /// <param name="maxTokens">Most tokens per chunk, special tokens and prompt not counted.</param>
    /// <param name="overlap">Most tokens shared by consecutive chunks; less than <paramref name="maxTokens"/>.</param>
    /// <param name="lowerCase">Lower-case the text before tokenizing (models with do_lower_case), as the encoder does.</param>
    public TextChunker(ITokenizer tokenizer, int maxTokens, int overlap = 0, bool lowerCase = false)
    {
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        if (maxTokens < 1) throw new ConfigurationException("ChunkTokens", $"must be at least 1, found {maxTokens}.");
        if (overlap < 0 || overlap >= maxTokens)
            throw new ConfigurationException("ChunkOverlap", $"must be between 0 and {maxTokens - 1} (less than the chunk size {maxTokens}), found {overlap}.");
        MaxTokens = maxTokens;
        Overlap = overlap;
        _lowerCase = lowerCase;
    }

    /// <summary>A chunker with <paramref name="encoder"/>'s tokenizer and casing; see <see cref="MaxTokensFor"/> for the largest window that fits.</summary>
    public static TextChunker For(SentenceEncoder encoder, int maxTokens, int overlap = 0)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        return new TextChunker(encoder.Tokenizer, maxTokens, overlap, encoder.Config.DoLowerCase);
    }

    /// <summary>
    /// The largest chunk that <paramref name="encoder"/> encodes without cutting: its token limit less the special
    /// tokens and the prompt that <paramref name="options"/> selects.
    /// </summary>
    public static int MaxTokensFor(SentenceEncoder encoder, EncodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        int limit = encoder.EffectiveMaxLength(options?.MaxLength);
        return limit - encoder.Tokenize("", encoder.ResolvePrompt(options), limit).Length;
    }

    /// <summary>Most tokens per chunk.</summary>
    public int MaxTokens { get; }

    /// <summary>Most tokens shared by consecutive chunks.</summary>
    public int Overlap { get; }

    /// <summary>The chunks of <paramref name="text"/>, in order; one chunk (the whole text) when it fits.</summary>
    public IReadOnlyList<TextChunk> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var offsets = _tokenizer.Encode(_lowerCase ? text.ToLowerInvariant() : text, int.MaxValue, addSpecialTokens: false).Offsets;
        int n = offsets.Length;
        if (n <= MaxTokens) return new[] { new TextChunk(0, 0, text.Length, text, n) };

        // starts[i]: a chunk may begin at token i (a word starts there).
        var starts = new bool[n + 1];
        starts[0] = starts[n] = true;
        for (int i = 1; i < n; i++) starts[i] = IsBoundary(text, offsets[i - 1].End, offsets[i].Start);

        var chunks = new List<TextChunk>();
        int from = 0;
        while (true)
        {
            int to = Math.Min(n, from + MaxTokens);
            if (to < n)
            {
                int b = to;
                while (b > from && !starts[b]) b--;
                if (b > from) to = b; // else one word longer than the window: cut inside it
            }
            int start = offsets[from].Start, end = offsets[to - 1].End;
            chunks.Add(new TextChunk(chunks.Count, start, end, text[start..end], to - from));
            if (to == n) break;
            int next = to;
            if (Overlap > 0)
            {
                // The earliest word start within the last Overlap tokens, and after this chunk's start.
                for (int k = Math.Max(from + 1, to - Overlap); k < to; k++)
                    if (starts[k]) { next = k; break; }
            }
            from = next;
        }
        return chunks;
    }

    /// <summary>Whether a chunk may end at <paramref name="end"/> and the next begin at <paramref name="start"/>.</summary>
    static bool IsBoundary(string text, int end, int start)
    {
        if (start > end) return true; // whitespace (or dropped characters) between the tokens
        if (start < end) return false; // the tokens share a character (byte-level pieces of one character)
        if (start <= 0 || start >= text.Length) return true;
        char before = text[start - 1], after = text[start];
        if (char.IsLowSurrogate(after)) return false;
        return !IsWordChar(before) || !IsWordChar(after) || IsUnspaced(before) || IsUnspaced(after);
    }

    static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || char.IsSurrogate(c)
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation;

    /// <summary>Characters of scripts written without spaces between words (each is a boundary on both sides).</summary>
    static bool IsUnspaced(char c) =>
        c is >= '\u4E00' and <= '\u9FFF'   // CJK unified ideographs
          or >= '\u3400' and <= '\u4DBF'   // extension A
          or >= '\uF900' and <= '\uFAFF'   // compatibility ideographs
          or >= '\u3040' and <= '\u30FF'   // hiragana, katakana
          or >= '\u31F0' and <= '\u31FF'   // katakana extensions
          or >= '\u0E00' and <= '\u0E7F'   // Thai
          or >= '\u0E80' and <= '\u0EFF'   // Lao
          or >= '\u1000' and <= '\u109F'   // Myanmar
          or >= '\u1780' and <= '\u17FF'   // Khmer
          or >= '\uD840' and <= '\uD87F';  // high surrogates of CJK extensions B–H
}
