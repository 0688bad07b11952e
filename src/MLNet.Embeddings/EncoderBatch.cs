using MLNet.Embeddings.Backbones;

namespace MLNet.Embeddings;

/// <summary>Tokenized texts ready for a backbone, with how many leading tokens of each sequence pooling skips.</summary>
/// <param name="Batch">The packed token ids, in the order the texts were given.</param>
/// <param name="Skip">Per sequence, leading tokens left out of pooling (include_prompt=false: [CLS] + prompt); all zero otherwise.</param>
public sealed record EncoderBatch(TokenBatch Batch, int[] Skip);
