namespace MLNet.Embeddings.Backbones.Rope;

/// <summary>
/// Which keys a query attends to inside one packed sequence: query <c>i</c> sees keys
/// <c>j ∈ [i − Left, i + Right]</c> (clipped to the sequence). Causal attention is Right = 0; full bidirectional
/// attention is both unbounded; sliding windows bound one or both sides.
/// </summary>
/// <param name="Left">Keys before the query that are visible (int.MaxValue: all).</param>
/// <param name="Right">Keys after the query that are visible (0: causal; int.MaxValue: all).</param>
public readonly record struct AttentionMask(int Left, int Right)
{
    /// <summary>Every token sees every token of its sequence.</summary>
    public static AttentionMask Bidirectional => new(int.MaxValue, int.MaxValue);
    /// <summary>Every token sees itself and the tokens before it.</summary>
    public static AttentionMask Causal => new(int.MaxValue, 0);

    /// <summary>First visible key of query <paramref name="i"/>.</summary>
    public int From(int i) => Left >= i ? 0 : i - Left;
    /// <summary>One past the last visible key of query <paramref name="i"/> in a sequence of length <paramref name="length"/>.</summary>
    public int To(int i, int length) => Right >= length - i ? length : i + Right + 1;
}
