using MLNet.Embeddings.Tokenization.Normalization;

namespace MLNet.Embeddings.Tokenization.PreTokenization;

/// <summary>
/// HF's <c>BertPreTokenizer</c>: split on whitespace (dropped), then isolate every punctuation character
/// (ASCII punctuation, which includes symbols such as <c>$+&lt;=&gt;^`|~</c>, or Unicode P*).
/// Words are reported as [start, end) spans of the normalised text, left to right, without allocation.
/// </summary>
internal static class BertPreTokenizer
{
    /// <summary>Advances <paramref name="pos"/> to after the next word; false at the end of <paramref name="text"/>.</summary>
    public static bool NextWord(ReadOnlySpan<char> text, ref int pos, out int start, out int end)
    {
        int i = pos;
        int wordStart = -1;
        while (i < text.Length)
        {
            char c = text[i];
            int width = 1;
            bool space, punct;
            if (c < 0x80)
            {
                space = c == ' ' || (uint)(c - '\t') <= '\r' - '\t';
                punct = !space && c > ' ' && c < 0x7F && !char.IsAsciiLetterOrDigit(c);
            }
            else
            {
                int cp = c;
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    cp = char.ConvertToUtf32(c, text[i + 1]);
                    width = 2;
                }
                space = BertUnicode.IsWhitespace(cp);
                punct = !space && (BertUnicode.Flags(cp) & BertUnicode.Punctuation) != 0;
            }
            if (space || punct)
            {
                if (wordStart >= 0)
                {
                    start = wordStart; end = i; pos = i;
                    return true;
                }
                if (punct)
                {
                    start = i; end = i + width; pos = end;
                    return true;
                }
            }
            else if (wordStart < 0)
            {
                wordStart = i;
            }
            i += width;
        }
        pos = i;
        if (wordStart >= 0)
        {
            start = wordStart; end = i;
            return true;
        }
        start = end = i;
        return false;
    }
}
