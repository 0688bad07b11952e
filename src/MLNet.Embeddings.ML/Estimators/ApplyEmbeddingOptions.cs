using System.Text.Json;
using System.Text.Json.Serialization;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Remote;

namespace MLNet.Embeddings.ML;

/// <summary>
/// Settings of <c>ApplyEmbedding</c>; null values follow the model folder (as <c>SentenceEncoder.Encode</c> does). A
/// saved pipeline keeps a copy of them with its model.
/// </summary>
public sealed class ApplyEmbeddingOptions
{
    /// <summary>Pooling mode; null uses the model's 1_Pooling configuration (mean for plain folders).</summary>
    public PoolingMode? Pooling { get; set; }
    /// <summary>L2-normalise the vectors; null follows the model (a Normalize module).</summary>
    public bool? Normalize { get; set; }
    /// <summary>A literal prompt prepended to every text; wins over <see cref="PromptName"/>.</summary>
    public string? Prompt { get; set; }
    /// <summary>A named prompt of the model (config_sentence_transformers.json); null uses its default prompt, if any.</summary>
    public string? PromptName { get; set; }
    /// <summary>Matryoshka truncation: keep the first N dimensions (then normalise); null keeps the model's size.</summary>
    public int? Dimensions { get; set; }
    /// <summary>Token cap per text; null uses the model's max_seq_length.</summary>
    public int? MaxLength { get; set; }
    /// <summary>Texts per forward pass inside a window (grouped by length) (32).</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>Rows read ahead and embedded together by a cursor (1024); memory holds one window of vectors per output column.</summary>
    public int WindowSize { get; set; } = 1024;
    /// <summary>
    /// The engine (managed by default). <see cref="EmbeddingBackend.Onnx"/> needs the MLNet.Embeddings.ML.OnnxRuntime
    /// package, <see cref="EmbeddingBackend.TorchSharp"/> MLNet.Embeddings.ML.TorchSharp (see <see cref="EmbeddingStageBackends"/>).
    /// </summary>
    public EmbeddingBackend Backend { get; set; } = EmbeddingBackend.Managed;
    /// <summary>For <see cref="EmbeddingBackend.Onnx"/>: the ONNX file inside the model folder (model.onnx) or a full path.</summary>
    public string OnnxModelFile { get; set; } = "model.onnx";
    /// <summary>For <see cref="EmbeddingBackend.TorchSharp"/>: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>; null means cpu.</summary>
    public string? Device { get; set; }
    /// <summary>Where <c>mlContext.Model.Save</c> keeps the model (inside the zip by default).</summary>
    public ModelStorage Storage { get; set; } = ModelStorage.Embedded;

    /// <summary>
    /// For a remote model (<c>openai:MODEL</c>): the endpoint, the environment variable that holds the API key, and the
    /// request limits; null uses <see cref="RemoteEmbeddingOptions"/>'s defaults (OpenAI's endpoint, <c>OPENAI_API_KEY</c>).
    /// Its <see cref="RemoteEmbeddingOptions.Model"/> comes from the name. A saved pipeline keeps these settings and the
    /// variable's name, never the key.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RemoteEmbeddingOptions? Remote { get; set; }

    static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>These settings as the one JSON line a saved stage keeps.</summary>
    internal string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Settings read back from <see cref="ToJson"/>.</summary>
    internal static ApplyEmbeddingOptions FromJson(string json) => JsonSerializer.Deserialize<ApplyEmbeddingOptions>(json, Json)!;

    /// <summary>A copy (a stage keeps its own, so later changes to the caller's object do not reach it).</summary>
    internal ApplyEmbeddingOptions Clone()
    {
        var copy = (ApplyEmbeddingOptions)MemberwiseClone();
        copy.Remote = Remote?.Clone();
        return copy;
    }

    /// <summary>What <c>SentenceEncoder.Encode</c> gets.</summary>
    internal EncodeOptions ToEncodeOptions() => new()
    {
        Pooling = Pooling, Prompt = Prompt, PromptName = PromptName, Normalize = Normalize, Dimensions = Dimensions, MaxLength = MaxLength, BatchSize = BatchSize,
    };

    /// <summary>Checks the settings that need no model.</summary>
    internal void Validate()
    {
        if (BatchSize < 1) throw new ConfigurationException(nameof(BatchSize), $"must be at least 1, found {BatchSize}.");
        if (WindowSize < 1) throw new ConfigurationException(nameof(WindowSize), $"must be at least 1, found {WindowSize}.");
    }
}
