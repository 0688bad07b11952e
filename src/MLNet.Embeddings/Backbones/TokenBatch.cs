using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.Backbones;

/// <summary>
/// A batch of sequences packed end to end with no padding: token <c>t</c> of sequence <c>i</c> sits at
/// flat index <c>Starts[i] + t</c>. Backbones return one hidden vector per packed token.
/// </summary>
public sealed class TokenBatch
{
    /// <summary>Packs token ids and type ids.</summary>
    public TokenBatch(int[] ids, int[] typeIds, int[] starts)
    {
        if (ids.Length != typeIds.Length) throw new ArgumentException("ids and typeIds differ in length.");
        if (starts.Length == 0 || starts[0] != 0 || starts[^1] != ids.Length) throw new ArgumentException("starts must run from 0 to ids.Length.");
        Ids = ids; TypeIds = typeIds; Starts = starts;
    }

    /// <summary>All token ids, sequence after sequence.</summary>
    public int[] Ids { get; }
    /// <summary>All token-type ids.</summary>
    public int[] TypeIds { get; }
    /// <summary>Prefix offsets: Count + 1 entries, first 0, last <see cref="TotalTokens"/>.</summary>
    public int[] Starts { get; }
    /// <summary>Number of sequences.</summary>
    public int Count => Starts.Length - 1;
    /// <summary>Number of tokens over all sequences.</summary>
    public int TotalTokens => Starts[^1];
    /// <summary>Length of sequence <paramref name="i"/>.</summary>
    public int Length(int i) => Starts[i + 1] - Starts[i];
    /// <summary>Length of the longest sequence.</summary>
    public int MaxLength { get { int m = 0; for (int i = 0; i < Count; i++) m = Math.Max(m, Length(i)); return m; } }

    /// <summary>Packs tokenized texts in the given order.</summary>
    public static TokenBatch From(IReadOnlyList<TokenizedText> texts)
    {
        var starts = new int[texts.Count + 1];
        for (int i = 0; i < texts.Count; i++) starts[i + 1] = starts[i] + texts[i].Length;
        var ids = new int[starts[^1]]; var types = new int[starts[^1]];
        for (int i = 0; i < texts.Count; i++)
        {
            texts[i].Ids.CopyTo(ids, starts[i]);
            texts[i].TypeIds.CopyTo(types, starts[i]);
        }
        return new TokenBatch(ids, types, starts);
    }

    /// <summary>
    /// Throws when a sequence is longer than <paramref name="maxPositions"/> or a token id is outside
    /// <paramref name="vocabSize"/>: what every backbone checks before it indexes its embedding and position tables.
    /// </summary>
    internal void CheckFits(int maxPositions, int vocabSize)
    {
        for (int s = 0; s < Count; s++)
            if (Length(s) > maxPositions)
                throw new ArgumentException($"Sequence {s} has {Length(s)} tokens; the model accepts at most {maxPositions} (max_position_embeddings).", "batch");
        for (int t = 0; t < Ids.Length; t++)
            if ((uint)Ids[t] >= (uint)vocabSize)
                throw new ArgumentException($"Token id {Ids[t]} at position {t} is outside the vocabulary (vocab_size {vocabSize}).", "batch");
    }
}
