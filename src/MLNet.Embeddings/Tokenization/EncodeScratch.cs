using MLNet.Embeddings.Tokenization.Normalization;

namespace MLNet.Embeddings.Tokenization;

/// <summary>Per-thread working buffers of one Encode call: normalised text and the tokens found so far.</summary>
internal sealed class EncodeScratch
{
    [ThreadStatic] private static EncodeScratch? t_cached;

    public readonly NormalizedText Norm = new();
    /// <summary>Extra buffers for tokenizers that run a normalizer before their pre-tokenizer.</summary>
    public readonly NormalizedText NormA = new(), NormB = new();
    public int[] Ids = new int[64];
    public int[] Starts = new int[64];
    public int[] Ends = new int[64];
    public int Count;

    /// <summary>Takes this thread's buffers (or new ones when they are in use).</summary>
    public static EncodeScratch Rent()
    {
        var s = t_cached ?? new EncodeScratch();
        t_cached = null;
        s.Count = 0;
        return s;
    }

    /// <summary>Gives the buffers back to this thread.</summary>
    public static void Return(EncodeScratch s) => t_cached = s;

    public void Add(int id, int start, int end)
    {
        if (Count == Ids.Length)
        {
            Array.Resize(ref Ids, Count * 2);
            Array.Resize(ref Starts, Count * 2);
            Array.Resize(ref Ends, Count * 2);
        }
        Ids[Count] = id; Starts[Count] = start; Ends[Count] = end; Count++;
    }
}
