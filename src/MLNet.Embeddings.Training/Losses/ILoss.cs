using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// A training objective over a batch's embedding matrices. It sees only embeddings (one matrix per column:
/// anchors, positives, negatives …) and returns the loss and its gradient with respect to each matrix; the
/// encoder turns that gradient into parameter gradients (see DESIGN.md).
/// </summary>
public interface ILoss
{
    /// <summary>Short name as used on the command line (mnrl, cosine, cosent …).</summary>
    string Name { get; }
    /// <summary>The columns this loss reads from a training row.</summary>
    LossColumns Columns { get; }
    /// <summary>Computes the loss and dLoss/dColumn for every column.</summary>
    LossResult Compute(LossInput input);
}

/// <summary>Which parts of a training row a loss needs.</summary>
[Flags]
public enum LossColumns
{
    /// <summary>Anchor (query) text.</summary>
    Anchor = 1,
    /// <summary>One positive per row.</summary>
    Positive = 2,
    /// <summary>Hard negatives (any number, the same count in every row of a batch).</summary>
    Negatives = 4,
    /// <summary>A gold similarity score per pair (0..1).</summary>
    Score = 8,
    /// <summary>A 0/1 label per pair.</summary>
    Label = 16,
    /// <summary>Teacher scores for the positive and negatives (distillation).</summary>
    TeacherScores = 32,
    /// <summary>Hard negatives are used when every row has them, and skipped otherwise (MNRL and relatives).</summary>
    OptionalNegatives = 64,
}

/// <summary>A batch's embeddings, column by column, with labels or scores where the loss needs them.</summary>
public sealed class LossInput
{
    /// <summary>Embedding matrices, each [batch × dim]: column 0 anchors, 1 positives, 2.. negatives.</summary>
    public required IReadOnlyList<Matrix> Columns { get; init; }
    /// <summary>One value per row: a 0..1 similarity score or a 0/1 label.</summary>
    public float[]? Labels { get; init; }
    /// <summary>Teacher scores per row: [batch × (Columns.Count − 1)], the positive then each negative.</summary>
    public Matrix? TeacherScores { get; init; }
    /// <summary>
    /// Optional text identity per column: <c>TextIds[c][row]</c> is equal for equal texts across all columns.
    /// Losses that exclude in-batch duplicates (a false negative that is the same text as the positive) read it.
    /// </summary>
    public IReadOnlyList<int[]>? TextIds { get; init; }
}

/// <summary>The loss value and its gradient with respect to each input column.</summary>
public sealed class LossResult
{
    /// <summary>The scalar loss.</summary>
    public required float Loss { get; init; }
    /// <summary>dLoss/dColumn, same shapes as <see cref="LossInput.Columns"/>.</summary>
    public required Matrix[] Gradients { get; init; }
}
