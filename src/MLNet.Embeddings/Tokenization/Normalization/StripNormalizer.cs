namespace MLNet.Embeddings.Tokenization.Normalization;

/// <summary>
/// HF's <c>Strip</c> normalizer: drops leading and/or trailing whitespace (Rust's <c>char::is_whitespace</c>);
/// the characters kept keep their spans.
/// </summary>
internal sealed class StripNormalizer(bool left, bool right) : ITextNormalizer
{
    /// <inheritdoc />
    public void Normalize(NormalizedText input, NormalizedText output, int origin)
    {
        int start = 0, end = input.Length;
        if (left) while (start < end && char.IsWhiteSpace(input.Chars[start])) start++;
        if (right) while (end > start && char.IsWhiteSpace(input.Chars[end - 1])) end--;
        var t = new AlignedTransform(input, output, origin);
        t.Skip(start);
        t.CopyTo(end);
    }
}
