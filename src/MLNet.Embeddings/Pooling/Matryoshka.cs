namespace MLNet.Embeddings.Pooling;

/// <summary>Matryoshka truncation: keeps the first <c>dims</c> columns of each row (forward) and pads the gradient back with zeros (backward).</summary>
public static class Matryoshka
{
    /// <summary>Copies the first <paramref name="dims"/> of every <paramref name="cols"/>-wide row of <paramref name="input"/> into <paramref name="output"/> <c>[rows × dims]</c>.</summary>
    public static void Forward(ReadOnlySpan<float> input, int cols, int dims, Span<float> output)
    {
        int rows = Check(input.Length, cols, dims, output.Length);
        for (int r = 0; r < rows; r++) input.Slice(r * cols, dims).CopyTo(output.Slice(r * dims, dims));
    }

    /// <summary>Gradient of <see cref="Forward"/>: spreads dLoss/dOutput <c>[rows × dims]</c> into <paramref name="inputGradient"/> <c>[rows × cols]</c>, zeros elsewhere.</summary>
    public static void Backward(ReadOnlySpan<float> outputGradient, int cols, int dims, Span<float> inputGradient)
    {
        int rows = Check(inputGradient.Length, cols, dims, outputGradient.Length);
        inputGradient.Clear();
        for (int r = 0; r < rows; r++) outputGradient.Slice(r * dims, dims).CopyTo(inputGradient.Slice(r * cols, dims));
    }

    static int Check(int fullLength, int cols, int dims, int truncatedLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        if (dims <= 0 || dims > cols) throw new ArgumentOutOfRangeException(nameof(dims), dims, $"Matryoshka dimensions must be between 1 and {cols}.");
        if (fullLength % cols != 0) throw new ArgumentException($"{fullLength} values do not split into rows of {cols}.");
        int rows = fullLength / cols;
        if (truncatedLength != rows * dims) throw new ArgumentException($"truncated buffer holds {truncatedLength} values, expected {rows}×{dims}.");
        return rows;
    }
}
