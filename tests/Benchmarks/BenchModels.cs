using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>The random MiniLM-L6-shaped model and the token batches the encoder, onnx, torch and train benches share.</summary>
internal static class BenchModels
{
    /// <summary>hidden 384, 12 heads, FFN 1536, vocab 30522, 512 positions; 6 layers unless told.</summary>
    public static BertConfig MiniLmShape(int layers = 6) => new()
    {
        VocabSize = 30522, HiddenSize = 384, NumHiddenLayers = layers, NumAttentionHeads = 12, IntermediateSize = 1536,
        MaxPositionEmbeddings = 512, TypeVocabSize = 2,
    };

    /// <summary>Packed batches of 32 sequences with the given lengths, in order, of random ids in [1000, vocab).</summary>
    public static List<TokenBatch> RandomBatches(int[] lengths, Random r, int vocabSize)
    {
        var batches = new List<TokenBatch>();
        for (int i = 0; i < lengths.Length; i += 32)
        {
            var chunk = lengths.Skip(i).Take(32).ToArray();
            var starts = new int[chunk.Length + 1];
            for (int j = 0; j < chunk.Length; j++) starts[j + 1] = starts[j] + chunk[j];
            var ids = Enumerable.Range(0, starts[^1]).Select(_ => r.Next(1000, vocabSize)).ToArray();
            batches.Add(new TokenBatch(ids, new int[ids.Length], starts));
        }
        return batches;
    }
}
