namespace MLNet.Embeddings.CrossEncoders;

/// <summary>One result of <see cref="CrossEncoder.Classify(IReadOnlyList{string}, CrossEncoderOptions?, CancellationToken)"/>.</summary>
/// <param name="LabelIndex">Index of the most probable label (the class id of config.json's <c>id2label</c>).</param>
/// <param name="Label">Its name.</param>
/// <param name="Probabilities">Softmax probability of every label, in the order of <see cref="CrossEncoder.Labels"/>.</param>
public sealed record ClassPrediction(int LabelIndex, string Label, float[] Probabilities);
