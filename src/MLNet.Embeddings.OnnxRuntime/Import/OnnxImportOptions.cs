using MLNet.Embeddings.Pooling;

namespace MLNet.Embeddings.OnnxRuntime.Import;

/// <summary>How <see cref="OnnxImporter.Convert"/> writes the sentence-transformers folder around the imported backbone.</summary>
public sealed class OnnxImportOptions
{
    /// <summary>Pooling module. Default mean (as all-MiniLM-L6-v2 and most sentence-transformers models).</summary>
    public PoolingMode Pooling { get; set; } = PoolingMode.Mean;
    /// <summary>Add a Normalize module (L2). Default true (all-MiniLM-L6-v2 has one).</summary>
    public bool Normalize { get; set; } = true;
    /// <summary>max_seq_length; null uses the model's position count (512 for BERT). all-MiniLM-L6-v2 was trained with 256.</summary>
    public int? MaxSeqLength { get; set; }
    /// <summary>Lower-case the text in the tokenizer (bert-base-uncased vocabularies). Default true.</summary>
    public bool Lowercase { get; set; } = true;
    /// <summary>Named prompts written to config_sentence_transformers.json (e.g. a model's query prompt). Default none.</summary>
    public Dictionary<string, string> Prompts { get; set; } = new();
}
