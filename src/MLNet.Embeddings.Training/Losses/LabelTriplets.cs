namespace MLNet.Embeddings.Training.Losses;

/// <summary>
/// What the in-batch label triplet losses share: the column checks, the labels, the pairwise distances of the batch
/// and their backward pass. Each loss supplies only its choice of triplets: given the distances <c>d[a, j]</c> and the
/// labels it returns the loss and writes <c>∂loss/∂d</c> into <c>dd</c>.
/// </summary>
internal static class LabelTriplets
{
    public delegate double Body(float[,] d, float[] labels, float[,] dd);

    public static LossResult Compute(LossInput input, string name, DistanceMetric distance, Body body)
    {
        LossMath.CheckColumns(input, name, 1, 1);
        var labels = LossMath.Labels(input, name);
        var pd = new PairwiseDistances(distance, input.Columns[0]);
        var dd = new float[labels.Length, labels.Length];
        double loss = body(pd.Values, labels, dd);
        var grads = LossMath.ZeroGradients(input.Columns);
        pd.Backward(dd, grads[0]);
        return new LossResult { Loss = (float)loss, Gradients = grads };
    }
}
