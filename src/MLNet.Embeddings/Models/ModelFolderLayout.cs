namespace MLNet.Embeddings.Models;

/// <summary>What <see cref="ModelFolder.Read"/> found in a model folder.</summary>
/// <param name="Folder">The model folder.</param>
/// <param name="BackboneFolder">Folder holding config.json, the weights and the tokenizer (the Transformer module's path; usually the model folder).</param>
/// <param name="ModelType">config.json <c>model_type</c> of <paramref name="BackboneFolder"/>, or "static" for a StaticEmbedding module; null when there is no config.json.</param>
/// <param name="Config">Pooling, normalisation, prompts, similarity and length settings.</param>
/// <param name="IsSentenceTransformers">True when modules.json was present.</param>
/// <param name="MaxSeqLengthGiven">True when sentence_bert_config.json set max_seq_length.</param>
/// <param name="SentenceBertConfigPath">The sentence_bert_config.json that was read, or null.</param>
/// <param name="PoolingConfigPath">The Pooling module's config.json, or null.</param>
/// <param name="PoolingDimension">Its <c>word_embedding_dimension</c>, when given.</param>
public sealed record ModelFolderLayout(string Folder, string BackboneFolder, string? ModelType, SentenceEncoderConfig Config,
    bool IsSentenceTransformers, bool MaxSeqLengthGiven, string? SentenceBertConfigPath = null, string? PoolingConfigPath = null,
    int? PoolingDimension = null);
