namespace MLNet.Embeddings.Tokenization.Normalization;

/// <summary>
/// HF's <c>Lowercase</c> normalizer: Rust's <c>char::to_lowercase</c> per code point (the tables of
/// <see cref="BertUnicode"/>, probed from HF; U+0130 becomes <c>i</c> + U+0307, the second an insert).
/// </summary>
internal sealed class LowercaseNormalizer : ITextNormalizer
{
    /// <inheritdoc />
    public void Normalize(NormalizedText input, NormalizedText output, int origin)
    {
        var t = new AlignedTransform(input, output, origin);
        var text = input.Span;
        for (int i = 0; i < text.Length;)
        {
            int cp = text[i];
            int width = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            if (width == 2) cp = char.ConvertToUtf32(text[i], text[i + 1]);
            i += width;
            if (cp == 0x130) { t.Push('i', 0); t.Push(0x307, 1); }
            else t.Push((BertUnicode.Flags(cp) & BertUnicode.Lowers) != 0 ? BertUnicode.Lower(cp) : cp, 0);
        }
    }
}
