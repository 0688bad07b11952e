using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Backbones;

/// <summary>
/// What a training forward pass keeps for its backward pass. <see cref="Output"/> holds the token embeddings
/// [TotalTokens × HiddenSize]; the rest is the backbone's own business.
/// </summary>
public abstract class BackboneActivations
{
    /// <summary>The batch that was run.</summary>
    public required TokenBatch Batch { get; init; }
    /// <summary>Token embeddings [TotalTokens × HiddenSize].</summary>
    public required float[] Output { get; init; }
}

/// <summary>A backbone with a backward pass: the trainer calls ForwardTrain, then Backward with dLoss/dOutput.</summary>
public interface ITrainableBackbone : IBackbone
{
    /// <summary>All trainable parameters, named as in the Hugging Face checkpoint.</summary>
    IReadOnlyList<Parameter> Parameters { get; }
    /// <summary>Hidden-state dropout rate used by <see cref="ForwardTrain"/> (from config.json; settable).</summary>
    float HiddenDropout { get; set; }
    /// <summary>Attention-probability dropout rate used by <see cref="ForwardTrain"/>.</summary>
    float AttentionDropout { get; set; }
    /// <summary>
    /// Forward pass that keeps what <see cref="Backward"/> needs. Dropout masks derive only from
    /// <paramref name="dropoutSeed"/>, so a step replays identically (needed by GradCache and resume).
    /// </summary>
    BackboneActivations ForwardTrain(TokenBatch batch, ulong dropoutSeed);
    /// <summary>Accumulates parameter gradients (into <see cref="Parameter.Grad"/>) from dLoss/dOutput.</summary>
    void Backward(BackboneActivations activations, ReadOnlySpan<float> outputGradient);
}
