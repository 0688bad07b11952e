using System.Globalization;
using System.Text;

namespace MLNet.Embeddings.Tokenization.Normalization;

/// <summary>
/// HF's <c>Precompiled</c> normalizer (SentencePiece's charsmap, e.g. nmt_nfkc) exactly as tokenizers 0.22 runs it:
/// for each extended grapheme cluster shorter than 6 UTF-8 bytes, the replacement of the shortest charsmap key
/// that is a prefix of it replaces the whole cluster; otherwise (or with no such key) each code point is looked
/// up alone. Alignments follow HF: a replacement of n code points by m writes m code points with change 0, the
/// last m − n marked as inserts when it grows, or the last written code point absorbing the removed ones when it
/// shrinks (a removal at the very start absorbs nothing, as in HF).
/// </summary>
internal sealed class PrecompiledNormalizer : ITextNormalizer
{
    private readonly PrecompiledCharsMap _map;
    [ThreadStatic] private static List<(int Cp, int Change)>? t_dest;

    public PrecompiledNormalizer(PrecompiledCharsMap map) => _map = map;

    /// <inheritdoc />
    public void Normalize(NormalizedText input, NormalizedText output, int origin)
    {
        var dest = t_dest ??= new List<(int, int)>();
        dest.Clear();
        bool modified = false;
        Span<byte> utf8 = stackalloc byte[8];
        var text = input.Span;
        for (int i = 0; i < text.Length;)
        {
            int g = StringInfo.GetNextTextElementLength(text[i..]);
            var grapheme = text.Slice(i, g);
            i += g;
            if (Utf8Length(grapheme) < 6)
            {
                int n = EncodeUtf8(grapheme, utf8);
                if (_map.Transform(utf8[..n]) is { } norm)
                {
                    modified = true;
                    PushReplacement(dest, CodePoints(grapheme), norm);
                    continue;
                }
            }
            for (int k = 0; k < grapheme.Length;)
            {
                int cp = NextCodePoint(grapheme, ref k);
                int n = new Rune(cp).EncodeToUtf8(utf8);
                if (_map.Transform(utf8[..n]) is { } norm)
                {
                    modified = true;
                    PushReplacement(dest, 1, norm);
                }
                else dest.Add((cp, 0));
            }
        }
        var t = new AlignedTransform(input, output, origin);
        if (!modified) { t.CopyTo(input.Length); return; }
        foreach (var (cp, change) in dest) t.Push(cp, change);
    }

    /// <summary>HF's <c>replace</c> helper: <paramref name="oldCount"/> code points become <paramref name="norm"/>.</summary>
    private static void PushReplacement(List<(int Cp, int Change)> dest, int oldCount, string norm)
    {
        int first = dest.Count;
        foreach (var r in norm.EnumerateRunes()) dest.Add((r.Value, 0));
        int diff = dest.Count - first - oldCount;
        if (diff > 0)
            for (int k = dest.Count - diff; k < dest.Count; k++) dest[k] = (dest[k].Cp, 1);
        else if (diff < 0 && dest.Count > 0)
            dest[^1] = (dest[^1].Cp, dest[^1].Change + diff);
    }

    /// <summary>The next code point; a lone surrogate reads as U+FFFD (what HF receives for it).</summary>
    private static int NextCodePoint(ReadOnlySpan<char> s, ref int i)
    {
        char c = s[i++];
        if (char.IsHighSurrogate(c) && i < s.Length && char.IsLowSurrogate(s[i])) return char.ConvertToUtf32(c, s[i++]);
        return char.IsSurrogate(c) ? 0xFFFD : c;
    }

    private static int CodePoints(ReadOnlySpan<char> s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; n++) NextCodePoint(s, ref i);
        return n;
    }

    private static int Utf8Length(ReadOnlySpan<char> s)
    {
        int bytes = 0;
        for (int i = 0; i < s.Length && bytes < 6;) bytes += new Rune(NextCodePoint(s, ref i)).Utf8SequenceLength;
        return bytes;
    }

    private static int EncodeUtf8(ReadOnlySpan<char> s, Span<byte> dest)
    {
        int n = 0;
        for (int i = 0; i < s.Length;) n += new Rune(NextCodePoint(s, ref i)).EncodeToUtf8(dest[n..]);
        return n;
    }
}
