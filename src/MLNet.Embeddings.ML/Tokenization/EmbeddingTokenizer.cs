using System.Buffers;
using Microsoft.ML.Tokenizers;
using MLNet.Embeddings.Tokenization;
using MlTokenizer = Microsoft.ML.Tokenizers.Tokenizer;

namespace MLNet.Embeddings.ML.Tokenization;

/// <summary>
/// One of our tokenizers (WordPiece, BPE, Unigram, word) as a <c>Microsoft.ML.Tokenizers.Tokenizer</c>, for code that
/// takes that type. Ids and offsets are ours (HF-identical on our parity sets); special tokens are not added
/// (Microsoft.ML.Tokenizers' convention); <see cref="EncodeSettings.MaxTokenCount"/> truncates.
/// </summary>
public sealed class EmbeddingTokenizer : MlTokenizer
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public EmbeddingTokenizer(ITokenizer inner) => Inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>The wrapped tokenizer.</summary>
    public ITokenizer Inner { get; }

    /// <inheritdoc />
    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        string s = text ?? textSpan.ToString();
        var t = Inner.Encode(s, int.MaxValue, addSpecialTokens: false);
        int n = Math.Min(t.Length, settings.MaxTokenCount);
        var tokens = new EncodedToken[n];
        for (int i = 0; i < n; i++)
            tokens[i] = new EncodedToken(t.Ids[i], Inner.IdToToken(t.Ids[i]) ?? "", new Range(t.Offsets[i].Start, t.Offsets[i].End));
        return new EncodeResults<EncodedToken> { Tokens = tokens, CharsConsumed = n == t.Length ? s.Length : (n == 0 ? 0 : t.Offsets[n - 1].End) };
    }

    /// <inheritdoc />
    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        idsConsumed = 0; charsWritten = 0;
        foreach (int id in ids)
        {
            string piece = Piece(id, charsWritten == 0);
            if (piece.Length > destination.Length - charsWritten) return OperationStatus.DestinationTooSmall;
            piece.CopyTo(destination[charsWritten..]);
            charsWritten += piece.Length; idsConsumed++;
        }
        return OperationStatus.Done;
    }

    /// <summary>The text of one token: WordPiece continuations (##) join the previous word, other tokens are space-separated.</summary>
    string Piece(int id, bool first)
    {
        string token = Inner.IdToToken(id) ?? "";
        if (token.StartsWith("##", StringComparison.Ordinal)) return token[2..];
        if (token.StartsWith('\u2581')) return (first ? "" : " ") + token[1..]; // SentencePiece word start
        if (token.StartsWith('\u0120')) return " " + token[1..]; // byte-level BPE space
        return first ? token : " " + token;
    }
}
