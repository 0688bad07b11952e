namespace MLNet.Embeddings.Training.Monitoring;

/// <summary>A labelled validation pair for the training-time checks: two texts and whether they mean the same.</summary>
/// <param name="Text1">First text.</param>
/// <param name="Text2">Second text.</param>
/// <param name="Similar">True for a similar pair, false for a dissimilar one.</param>
public sealed record ProbePair(string Text1, string Text2, bool Similar);
