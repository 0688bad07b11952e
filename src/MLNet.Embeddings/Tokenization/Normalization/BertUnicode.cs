namespace MLNet.Embeddings.Tokenization.Normalization;

/// <summary>
/// Character classes of the BERT normaliser and pre-tokenizer, exactly as Hugging Face tokenizers 0.22 sees them.
/// The tables (BertUnicodeData.g.cs) were probed from the HF binding itself: HF's category tables are older than
/// its casing tables, and neither matches the Unicode version of .NET or ICU, so we do not ask the runtime.
/// Basic Multilingual Plane lookups go through one flag byte per char built on first use; other planes
/// binary-search the range tables (rare in practice).
/// </summary>
internal static partial class BertUnicode
{
    public const byte Removed = 1, Whitespace = 2, Punctuation = 4, Chinese = 8, NonSpacingMark = 16, Strips = 32, Lowers = 64;

    private static readonly byte[] s_bmpFlags = BuildBmpFlags();
    private static readonly char[] s_bmpLower = BuildBmpLower();

    /// <summary>Flags of a code point (any plane).</summary>
    public static byte Flags(int cp)
    {
        if (cp < 0x10000) return s_bmpFlags[cp];
        byte f = 0;
        if (InRanges(RemovedRanges, cp)) f |= Removed;
        if (InRanges(PunctuationRanges, cp)) f |= Punctuation;
        if (InRanges(ChineseRanges, cp)) f |= Chinese;
        if (InRanges(NonSpacingMarkRanges, cp)) f |= NonSpacingMark;
        if (StripKeys.BinarySearch(cp) >= 0) f |= Strips;
        if (LowerKeys.BinarySearch(cp) >= 0) f |= Lowers;
        return f;
    }

    /// <summary>True for the characters Rust's <c>char::is_whitespace</c> accepts (the same set as <see cref="char.IsWhiteSpace(char)"/>).</summary>
    public static bool IsWhitespace(int cp) => cp < 0x10000 && char.IsWhiteSpace((char)cp);

    /// <summary>Lowercase of a code point whose <see cref="Lowers"/> flag is set (U+0130 is handled by the caller).</summary>
    public static int Lower(int cp)
    {
        if (cp < 0x10000) return s_bmpLower[cp];
        int i = LowerKeys.BinarySearch(cp);
        return i >= 0 ? LowerValues[i] : cp;
    }

    /// <summary>
    /// The strip-accents result (NFD without non-spacing marks) of a code point whose <see cref="Strips"/> flag is set:
    /// writes up to three code points into <paramref name="dest"/> and returns how many.
    /// </summary>
    public static int Strip(int cp, Span<int> dest)
    {
        int i = StripKeys.BinarySearch(cp);
        if (i < 0) { dest[0] = cp; return 1; }
        var v = StripValues.Slice(i * 3, 3);
        int n = 0;
        for (int k = 0; k < 3 && v[k] != 0; k++) dest[n++] = v[k];
        return n;
    }

    /// <summary>Hangul syllables decompose algorithmically under NFD into two or three jamo.</summary>
    public static int DecomposeHangul(int cp, Span<int> dest)
    {
        const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7, TCount = 28, NCount = 588;
        int s = cp - SBase;
        dest[0] = LBase + s / NCount;
        dest[1] = VBase + s % NCount / TCount;
        int t = s % TCount;
        if (t == 0) return 2;
        dest[2] = TBase + t;
        return 3;
    }

    /// <summary>True for precomposed Hangul syllables (U+AC00–U+D7A3).</summary>
    public static bool IsHangulSyllable(int cp) => cp is >= 0xAC00 and <= 0xD7A3;

    private static bool InRanges(ReadOnlySpan<int> ranges, int cp)
    {
        int lo = 0, hi = ranges.Length / 2 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            if (cp < ranges[2 * mid]) hi = mid - 1;
            else if (cp > ranges[2 * mid + 1]) lo = mid + 1;
            else return true;
        }
        return false;
    }

    private static byte[] BuildBmpFlags()
    {
        var flags = new byte[0x10000];
        Mark(flags, RemovedRanges, Removed);
        Mark(flags, PunctuationRanges, Punctuation);
        Mark(flags, ChineseRanges, Chinese);
        Mark(flags, NonSpacingMarkRanges, NonSpacingMark);
        foreach (int cp in WhitespaceChars) flags[cp] |= Whitespace;
        foreach (int cp in StripKeys) if (cp < 0x10000) flags[cp] |= Strips;
        foreach (int cp in LowerKeys) if (cp < 0x10000) flags[cp] |= Lowers;
        return flags;
    }

    private static void Mark(byte[] flags, ReadOnlySpan<int> ranges, byte flag)
    {
        for (int i = 0; i < ranges.Length; i += 2)
            for (int cp = ranges[i]; cp <= ranges[i + 1] && cp < 0x10000; cp++) flags[cp] |= flag;
    }

    private static char[] BuildBmpLower()
    {
        var map = new char[0x10000];
        for (int i = 0; i < map.Length; i++) map[i] = (char)i;
        var keys = LowerKeys;
        var values = LowerValues;
        for (int i = 0; i < keys.Length; i++)
            if (keys[i] < 0x10000 && values[i] < 0x10000) map[keys[i]] = (char)values[i];
        return map;
    }
}
