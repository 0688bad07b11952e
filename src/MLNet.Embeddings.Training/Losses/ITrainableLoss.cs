using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// A loss with weights of its own (a classifier on top of the embeddings, as sentence-transformers' SoftmaxLoss). The
/// trainer sizes it with <see cref="Initialize"/> before the first step, and updates <see cref="Parameters"/> with their
/// own AdamW at the run's learning rate and weight decay; <see cref="ILoss.Compute"/> adds their gradients into
/// <see cref="Parameter.Grad"/>. These weights belong to the objective and are not saved with the model.
/// </summary>
public interface ITrainableLoss : ILoss
{
    /// <summary>Creates the weights for embeddings of <paramref name="dimension"/> values (no-op when already sized so).</summary>
    void Initialize(int dimension);
    /// <summary>The loss's weights (empty before <see cref="Initialize"/>).</summary>
    IReadOnlyList<Parameter> Parameters { get; }
}
