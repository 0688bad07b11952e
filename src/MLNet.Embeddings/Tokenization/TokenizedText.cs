namespace MLNet.Embeddings.Tokenization;

/// <summary>The tokens of one text: ids (with special tokens), token-type ids and character offsets.</summary>
/// <param name="Ids">Token ids, e.g. <c>[CLS] … [SEP]</c>.</param>
/// <param name="TypeIds">Token-type (segment) ids, same length as <paramref name="Ids"/>.</param>
/// <param name="Offsets">Start and end character offsets into the original text; (0,0) for special tokens.</param>
public sealed record TokenizedText(int[] Ids, int[] TypeIds, (int Start, int End)[] Offsets)
{
    /// <summary>Number of tokens.</summary>
    public int Length => Ids.Length;
}
