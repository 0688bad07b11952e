using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings;

public sealed partial class SentenceEncoder
{
    /// <summary>What <see cref="Encode(IReadOnlyList{string}, EncodeOptions?, CancellationToken)"/> has encoded so far, truncated texts included.</summary>
    public EncodeStatistics Statistics { get; } = new();

    /// <summary>
    /// <see cref="Tokenize"/> that also says whether the text was cut: it tokenizes with room for one more token; a text
    /// that fills it is longer than <paramref name="maxLength"/> and is tokenized again at the limit (long texts pay twice).
    /// </summary>
    TokenizedText TokenizeCounted(string text, string? prompt, int maxLength, out bool truncated)
    {
        if (maxLength == int.MaxValue) { truncated = false; return Tokenize(text, prompt, maxLength); }
        var probe = Tokenize(text, prompt, maxLength + 1);
        truncated = probe.Length > maxLength;
        return truncated ? Tokenize(text, prompt, maxLength) : probe;
    }
}
