namespace MLNet.Embeddings.Tokenization.Normalization;

/// <summary>
/// HF's <c>Prepend</c> normalizer: a non-empty text gets <c>prepend</c> in front; the added characters take the
/// span of the text's first character (HF's <c>NormalizedString::prepend</c>).
/// </summary>
internal sealed class PrependNormalizer(string prepend) : ITextNormalizer
{
    private readonly int[] _chars = prepend.EnumerateRunes().Select(r => r.Value).ToArray();

    /// <inheritdoc />
    public void Normalize(NormalizedText input, NormalizedText output, int origin)
    {
        output.Clear();
        if (input.Length == 0) return;
        output.EnsureRoom(input.Length + _chars.Length * 2);
        foreach (int c in _chars) output.Append(c, input.Starts[0], input.Ends[0]);
        for (int i = 0; i < input.Length; i++)
        {
            output.Chars[output.Length] = input.Chars[i]; output.Starts[output.Length] = input.Starts[i]; output.Ends[output.Length] = input.Ends[i];
            output.Length++;
        }
    }
}
