namespace MLNet.Embeddings.Training.Training;

/// <summary>Where training stands after a step.</summary>
/// <param name="Step">Optimiser steps done.</param>
/// <param name="TotalSteps">Optimiser steps planned.</param>
/// <param name="Epoch">Fractional epoch.</param>
/// <param name="Loss">Loss of the last step.</param>
/// <param name="LearningRate">Learning rate used by the last step.</param>
public sealed record TrainingProgress(int Step, int TotalSteps, double Epoch, float Loss, float LearningRate);
