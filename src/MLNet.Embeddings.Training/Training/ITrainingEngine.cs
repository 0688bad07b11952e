using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training;

/// <summary>
/// What the trainer needs from a backend: token embeddings out (with or without the graph kept), dLoss/dTokens in,
/// then clipping and an AdamW step. Pooling and the loss stay on the host, so every loss, pooling and GradCache work
/// the same on every backend. An engine may keep its own copy of the weights (a GPU); it copies them to and from the
/// model's <see cref="Parameters"/> when the trainer asks (evaluation, checkpoints, the end of training).
/// </summary>
public interface ITrainingEngine : IDisposable
{
    /// <summary>Where the engine computes (<c>cpu</c>, <c>cuda:0</c> …).</summary>
    string Device { get; }
    /// <summary>The model's parameters on the host (the ones evaluation, checkpoints and Save read).</summary>
    IReadOnlyList<Parameter> Parameters { get; }
    /// <summary>AdamW state on the host, in the order of <see cref="Parameters"/> (the engine's own optimiser, or a mirror of it).</summary>
    AdamW Optimizer { get; }

    /// <summary>
    /// Token embeddings [TotalTokens × hidden] of <paramref name="batch"/>. With <paramref name="keepGraph"/> the result can be
    /// passed to <see cref="Backward"/>; without it nothing is kept for a backward pass (GradCache's first pass). Dropout masks
    /// depend only on <paramref name="dropoutSeed"/>.
    /// </summary>
    BackboneActivations Forward(TokenBatch batch, ulong dropoutSeed, bool keepGraph);
    /// <summary>Accumulates parameter gradients from dLoss/dTokens of a <see cref="Forward"/> made with the graph kept.</summary>
    void Backward(BackboneActivations activations, ReadOnlySpan<float> outputGradient);
    /// <summary>Frees what a <see cref="Forward"/> kept.</summary>
    void Release(BackboneActivations activations);
    /// <summary>Sets all gradients to zero.</summary>
    void ZeroGrad();
    /// <summary>Clips gradients by global L2 norm as torch.nn.utils.clip_grad_norm_; returns the norm before clipping.</summary>
    double ClipGradNorm(double maxNorm);
    /// <summary>One AdamW update with learning rate <paramref name="lr"/> (the semantics of <see cref="AdamW"/>).</summary>
    void Step(float lr);
    /// <summary>Copies the engine's weights (and, with <paramref name="optimizer"/>, the AdamW moments) into <see cref="Parameters"/>/<see cref="Optimizer"/>.</summary>
    void SyncToHost(bool optimizer);
    /// <summary>Copies <see cref="Parameters"/> (and, with <paramref name="optimizer"/>, <see cref="Optimizer"/>) into the engine.</summary>
    void SyncFromHost(bool optimizer);
}
