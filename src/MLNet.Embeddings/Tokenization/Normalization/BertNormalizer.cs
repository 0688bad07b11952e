namespace MLNet.Embeddings.Tokenization.Normalization;

/// <summary>
/// Hugging Face's <c>BertNormalizer</c>: clean_text (drop control characters, map whitespace to a space),
/// handle_chinese_chars (space around each CJK ideograph), strip_accents (NFD, then drop non-spacing marks;
/// defaults to <c>lowercase</c> when not set) and lowercase, in that order. Every step works on one code
/// point at a time, so the text is normalised in one pass and each output unit keeps the span of the
/// original code point it came from. ASCII takes a branch-light fast path.
/// (One known difference: HF reorders runs of combining marks canonically before dropping the non-spacing
/// ones; we decompose code point by code point. It only matters for stacked spacing combining marks.)
/// </summary>
internal sealed class BertNormalizer
{
    public BertNormalizer(bool cleanText, bool handleChineseChars, bool? stripAccents, bool lowercase)
    {
        CleanText = cleanText;
        HandleChineseChars = handleChineseChars;
        StripAccents = stripAccents ?? lowercase;
        Lowercase = lowercase;
    }

    public bool CleanText { get; }
    public bool HandleChineseChars { get; }
    public bool StripAccents { get; }
    public bool Lowercase { get; }

    /// <summary>
    /// Appends the normalised form of <paramref name="text"/> to <paramref name="output"/>;
    /// <paramref name="offset"/> is the position of <paramref name="text"/> in the original string.
    /// </summary>
    public void Normalize(ReadOnlySpan<char> text, int offset, NormalizedText output)
    {
        output.EnsureRoom(text.Length);
        Span<int> buf = stackalloc int[3];
        for (int i = 0; i < text.Length;)
        {
            char c = text[i];
            int start = offset + i;
            if (c < 0x80)
            {
                i++;
                if (CleanText)
                {
                    if (c < 0x20 || c == 0x7F)
                    {
                        if (c is '\t' or '\n' or '\r') c = ' ';
                        else continue;
                    }
                }
                if (Lowercase && (uint)(c - 'A') <= 'Z' - 'A') c = (char)(c | 0x20);
                output.EnsureRoom(1);
                int n = output.Length;
                output.Chars[n] = c; output.Starts[n] = start; output.Ends[n] = start + 1; output.Length = n + 1;
                continue;
            }
            int cp;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cp = char.ConvertToUtf32(c, text[i + 1]);
                i += 2;
            }
            else
            {
                cp = char.IsSurrogate(c) ? 0xFFFD : c; // a lone surrogate reaches HF as U+FFFD
                i++;
            }
            AppendCodePoint(cp, start, offset + i, output, buf);
        }
    }

    private void AppendCodePoint(int cp, int start, int end, NormalizedText output, Span<int> buf)
    {
        byte flags = BertUnicode.Flags(cp);
        if (CleanText)
        {
            if ((flags & BertUnicode.Removed) != 0) return;
            if ((flags & BertUnicode.Whitespace) != 0) { output.Append(' ', start, end); return; }
        }
        bool chinese = HandleChineseChars && (flags & BertUnicode.Chinese) != 0;
        if (chinese) output.Append(' ', start, end);
        if (StripAccents && ((flags & (BertUnicode.NonSpacingMark | BertUnicode.Strips)) != 0 || BertUnicode.IsHangulSyllable(cp)))
        {
            if ((flags & BertUnicode.NonSpacingMark) == 0)
            {
                int n = BertUnicode.IsHangulSyllable(cp) ? BertUnicode.DecomposeHangul(cp, buf) : BertUnicode.Strip(cp, buf);
                for (int k = 0; k < n; k++) AppendLowered(buf[k], start, end, output);
            }
        }
        else
        {
            AppendLowered(cp, start, end, flags, output);
        }
        if (chinese) output.Append(' ', start, end);
    }

    private void AppendLowered(int cp, int start, int end, NormalizedText output)
        => AppendLowered(cp, start, end, BertUnicode.Flags(cp), output);

    private void AppendLowered(int cp, int start, int end, byte flags, NormalizedText output)
    {
        if (Lowercase && (flags & BertUnicode.Lowers) != 0) cp = BertUnicode.Lower(cp);
        else if (Lowercase && cp == 0x130)
        {
            // the one multi-character lowercase mapping: İ → i + combining dot above
            output.Append('i', start, end);
            cp = 0x307;
        }
        output.Append(cp, start, end);
    }

    /// <summary>Normalises a whole string (e.g. an added token's content) without alignment.</summary>
    public string NormalizeString(string text)
    {
        var output = new NormalizedText();
        Normalize(text, 0, output);
        return new string(output.Span);
    }
}
