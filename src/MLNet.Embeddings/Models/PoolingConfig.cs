using MLNet.Embeddings.Pooling;

namespace MLNet.Embeddings.Models;

/// <summary>The contents of a sentence-transformers <c>1_Pooling/config.json</c>.</summary>
/// <param name="Mode">The pooling mode (exactly one <c>pooling_mode_*</c> flag, or <c>pooling_mode</c>).</param>
/// <param name="IncludePrompt">include_prompt (default true).</param>
/// <param name="WordEmbeddingDimension">word_embedding_dimension, when given.</param>
public sealed record PoolingConfig(PoolingMode Mode, bool IncludePrompt, int? WordEmbeddingDimension);
