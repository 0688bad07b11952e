namespace MLNet.Embeddings.Tokenization.Normalization;

/// <summary>
/// One Hugging Face normalizer step over an aligned text: reads <c>input</c> and writes <c>output</c> (cleared
/// first), carrying each unit's span of the original text the way HF's <c>NormalizedString::transform</c> does.
/// </summary>
internal interface ITextNormalizer
{
    /// <param name="input">The text so far, with spans into the original.</param>
    /// <param name="output">Receives the result; never the same object as <paramref name="input"/>.</param>
    /// <param name="origin">Where the segment starts in the original text (HF's empty alignment <c>(0, 0)</c>).</param>
    void Normalize(NormalizedText input, NormalizedText output, int origin);
}
