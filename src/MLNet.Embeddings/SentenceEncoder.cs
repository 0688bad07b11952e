using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Scoring;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings;

/// <summary>
/// The user-facing model: tokenizer → backbone → pooling → optional normalisation. Loads a Hugging Face /
/// sentence-transformers folder, encodes texts to vectors in input order, and saves the same layout back.
/// </summary>
public sealed partial class SentenceEncoder
{
    /// <summary>Assembles an encoder from its parts (used by loaders, the trainer and other backends).</summary>
    public SentenceEncoder(ITokenizer tokenizer, IBackbone backbone, SentenceEncoderConfig config)
    {
        Tokenizer = tokenizer; Backbone = backbone; Config = config;
    }

    /// <summary>The tokenizer.</summary>
    public ITokenizer Tokenizer { get; }
    /// <summary>The backbone (managed BERT, static vectors, ONNX …).</summary>
    public IBackbone Backbone { get; }
    /// <summary>Pooling, normalisation, prompts, similarity and length settings.</summary>
    public SentenceEncoderConfig Config { get; }
}

/// <summary>Settings read from (and written to) a sentence-transformers folder.</summary>
public sealed class SentenceEncoderConfig
{
    /// <summary>Pooling mode (1_Pooling/config.json); plain HF folders use mean.</summary>
    public PoolingMode Pooling { get; set; } = PoolingMode.Mean;
    /// <summary>Whether the pooling includes prompt tokens (include_prompt).</summary>
    public bool PoolingIncludePrompt { get; set; } = true;
    /// <summary>Whether a Normalize module follows pooling.</summary>
    public bool Normalize { get; set; }
    /// <summary>Dense modules between Pooling and Normalize, in order (EmbeddingGemma's 2_Dense, 3_Dense); empty for most models.</summary>
    public List<DenseLayer> Dense { get; set; } = new();
    /// <summary>max_seq_length from sentence_bert_config.json (default: min(512, model's max positions)).</summary>
    public int MaxSeqLength { get; set; } = 512;
    /// <summary>do_lower_case from sentence_bert_config.json.</summary>
    public bool DoLowerCase { get; set; }
    /// <summary>Named prompts (config_sentence_transformers.json "prompts").</summary>
    public Dictionary<string, string> Prompts { get; set; } = new();
    /// <summary>default_prompt_name, or null.</summary>
    public string? DefaultPromptName { get; set; }
    /// <summary>similarity_fn_name (default cosine).</summary>
    public SimilarityFunction Similarity { get; set; } = SimilarityFunction.Cosine;
    /// <summary>A name for the model (folder name or hub id), used in metadata.</summary>
    public string ModelId { get; set; } = "model";
}
