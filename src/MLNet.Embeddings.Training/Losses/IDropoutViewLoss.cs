namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// A loss trained on the anchor column alone whose positive is a second encoding of the same text with other dropout
/// (SimCSE): the trainer adds that second view as column 1 and refuses a run with dropout 0.
/// </summary>
public interface IDropoutViewLoss : ILoss;
