namespace MLNet.Embeddings.Tokenization.Normalization;

/// <summary>
/// A growable normalised text with, per UTF-16 unit, the span of the original text it came from
/// (HF's alignments). Reused across calls; never shrinks.
/// </summary>
internal sealed class NormalizedText
{
    public char[] Chars = new char[256];
    public int[] Starts = new int[256];
    public int[] Ends = new int[256];
    public int Length;

    public void Clear() => Length = 0;

    public ReadOnlySpan<char> Span => Chars.AsSpan(0, Length);

    /// <summary>Appends one code point that came from original span [start, end).</summary>
    public void Append(int cp, int start, int end)
    {
        if (Length + 2 > Chars.Length) Grow(Length + 2);
        if (cp < 0x10000)
        {
            Chars[Length] = (char)cp; Starts[Length] = start; Ends[Length] = end; Length++;
        }
        else
        {
            cp -= 0x10000;
            Chars[Length] = (char)(0xD800 + (cp >> 10)); Starts[Length] = start; Ends[Length] = end; Length++;
            Chars[Length] = (char)(0xDC00 + (cp & 0x3FF)); Starts[Length] = start; Ends[Length] = end; Length++;
        }
    }

    /// <summary>Makes room for <paramref name="extra"/> more units.</summary>
    public void EnsureRoom(int extra)
    {
        if (Length + extra > Chars.Length) Grow(Length + extra);
    }

    private void Grow(int needed)
    {
        int size = Math.Max(needed, Chars.Length * 2);
        Array.Resize(ref Chars, size);
        Array.Resize(ref Starts, size);
        Array.Resize(ref Ends, size);
    }
}
