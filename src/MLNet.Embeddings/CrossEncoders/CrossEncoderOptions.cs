namespace MLNet.Embeddings.CrossEncoders;

/// <summary>Options for <see cref="CrossEncoder.Predict"/> and <see cref="CrossEncoder.Rank"/>; defaults follow sentence-transformers' CrossEncoder.</summary>
public sealed class CrossEncoderOptions
{
    /// <summary>Pairs per forward pass (grouped by token length, packed without padding). Default 32.</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>Token cap per pair, special tokens included; null follows the model (<see cref="CrossEncoder.MaxLength"/>).</summary>
    public int? MaxLength { get; set; }
    /// <summary>Overrides the model's activation; null follows the model (<see cref="CrossEncoder.Activation"/>).</summary>
    public CrossEncoderActivation? Activation { get; set; }
    /// <summary>Receives the number of pairs scored so far.</summary>
    public IProgress<int>? Progress { get; set; }
}
