namespace MLNet.Embeddings.Tokenization;

/// <summary>
/// The single-sequence part of a post-processor (HF <c>TemplateProcessing</c>, <c>BertProcessing</c>,
/// <c>RobertaProcessing</c>): special token ids put before and after the text, with their type ids.
/// </summary>
internal sealed class SpecialTokensTemplate
{
    public static readonly SpecialTokensTemplate None = new([], [], [], [], 0);

    public SpecialTokensTemplate(int[] prefixIds, int[] prefixTypeIds, int[] suffixIds, int[] suffixTypeIds, int sequenceTypeId)
    {
        PrefixIds = prefixIds; PrefixTypeIds = prefixTypeIds;
        SuffixIds = suffixIds; SuffixTypeIds = suffixTypeIds;
        SequenceTypeId = sequenceTypeId;
    }

    /// <summary><c>[CLS] text [SEP]</c>, all type 0.</summary>
    public static SpecialTokensTemplate ClsSep(int cls, int sep) => new([cls], [0], [sep], [0], 0);

    public int[] PrefixIds { get; }
    public int[] PrefixTypeIds { get; }
    public int[] SuffixIds { get; }
    public int[] SuffixTypeIds { get; }
    public int SequenceTypeId { get; }
    /// <summary>Number of special tokens added to one text.</summary>
    public int Count => PrefixIds.Length + SuffixIds.Length;

    /// <summary>
    /// Builds the result: truncates the tokens in <paramref name="s"/> so that with the special tokens there are at most
    /// <paramref name="maxLength"/> (HF truncates the sequence to max_length minus the added tokens, then adds them).
    /// </summary>
    public TokenizedText Build(EncodeScratch s, int maxLength, bool addSpecialTokens)
    {
        int specials = addSpecialTokens ? Count : 0;
        int n = Math.Min(s.Count, Math.Max(0, maxLength - specials));
        int total = n + specials;
        var ids = new int[total];
        var types = new int[total];
        var offsets = new (int, int)[total];
        int k = 0;
        if (addSpecialTokens)
            for (int i = 0; i < PrefixIds.Length; i++, k++) { ids[k] = PrefixIds[i]; types[k] = PrefixTypeIds[i]; }
        for (int i = 0; i < n; i++, k++)
        {
            ids[k] = s.Ids[i]; types[k] = SequenceTypeId; offsets[k] = (s.Starts[i], s.Ends[i]);
        }
        if (addSpecialTokens)
            for (int i = 0; i < SuffixIds.Length; i++, k++) { ids[k] = SuffixIds[i]; types[k] = SuffixTypeIds[i]; }
        if (total > maxLength && maxLength >= 0)
        {
            // fewer room than special tokens: keep the first maxLength
            Array.Resize(ref ids, maxLength); Array.Resize(ref types, maxLength); Array.Resize(ref offsets, maxLength);
        }
        return new TokenizedText(ids, types, offsets);
    }
}
