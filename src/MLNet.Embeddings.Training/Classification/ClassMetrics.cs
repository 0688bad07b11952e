namespace MLNet.Embeddings.Training.Classification;

/// <summary>Precision, recall and F1 of one class in a <see cref="ClassificationReport"/>.</summary>
/// <param name="Label">The class.</param>
/// <param name="Precision">Correct predictions of the class / predictions of the class (0 when never predicted).</param>
/// <param name="Recall">Correct predictions of the class / rows of the class (0 when it has no rows).</param>
/// <param name="F1">Harmonic mean of precision and recall (0 when both are 0).</param>
/// <param name="Support">Rows of the class.</param>
public sealed record ClassMetrics(string Label, double Precision, double Recall, double F1, int Support);
