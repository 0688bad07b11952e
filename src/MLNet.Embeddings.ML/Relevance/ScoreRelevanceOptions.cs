using System.Text.Json;
using System.Text.Json.Serialization;
using MLNet.Embeddings.CrossEncoders;

namespace MLNet.Embeddings.ML;

/// <summary>
/// Settings of <c>ScoreRelevance</c>; null values follow the model folder (as <see cref="CrossEncoder.Predict"/> does).
/// A saved pipeline keeps a copy of them with its model.
/// </summary>
public sealed class ScoreRelevanceOptions
{
    /// <summary>Token cap per (query, document) pair, special tokens included (longest-first truncation); null uses the model's <see cref="CrossEncoder.MaxLength"/>.</summary>
    public int? MaxLength { get; set; }
    /// <summary>What is applied to the logits; null uses the model's <see cref="CrossEncoder.Activation"/> (sigmoid for a one-label reranker).</summary>
    public CrossEncoderActivation? Activation { get; set; }
    /// <summary>Pairs per forward pass inside a window (grouped by token length) (32).</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>Rows read ahead and scored together by a cursor (1024): one <see cref="CrossEncoder.Predict"/> call per window.</summary>
    public int WindowSize { get; set; } = 1024;
    /// <summary>Where <c>mlContext.Model.Save</c> keeps the model (inside the zip by default).</summary>
    public ModelStorage Storage { get; set; } = ModelStorage.Embedded;

    internal static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>A copy (a stage keeps its own, so later changes to the caller's object do not reach it).</summary>
    internal ScoreRelevanceOptions Clone() => (ScoreRelevanceOptions)MemberwiseClone();

    /// <summary>What <see cref="CrossEncoder.Predict"/> gets.</summary>
    internal CrossEncoderOptions ToCrossEncoderOptions() => new() { BatchSize = BatchSize, MaxLength = MaxLength, Activation = Activation };

    /// <summary>Checks the settings that need no model.</summary>
    internal void Validate()
    {
        if (BatchSize < 1) throw new ConfigurationException(nameof(BatchSize), $"must be at least 1, found {BatchSize}.");
        if (WindowSize < 1) throw new ConfigurationException(nameof(WindowSize), $"must be at least 1, found {WindowSize}.");
        if (MaxLength is < 1) throw new ConfigurationException(nameof(MaxLength), $"must be at least 1, found {MaxLength}.");
    }
}
