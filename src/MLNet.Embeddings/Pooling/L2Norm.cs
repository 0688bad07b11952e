using System.Numerics.Tensors;

namespace MLNet.Embeddings.Pooling;

/// <summary>
/// Row-wise L2 normalisation, <c>y = x / max(‖x‖, ε)</c> with ε = 1e-12 as in
/// <c>torch.nn.functional.normalize</c> (sentence-transformers' Normalize module), forward and backward.
/// </summary>
public static class L2Norm
{
    /// <summary>The ε of <c>torch.nn.functional.normalize</c>.</summary>
    public const float Epsilon = 1e-12f;

    /// <summary>Normalises each row of <paramref name="input"/> <c>[rows × cols]</c> into <paramref name="output"/> (may be the same buffer).</summary>
    public static void Forward(ReadOnlySpan<float> input, int cols, Span<float> output)
    {
        int rows = Rows(input.Length, cols, output.Length);
        for (int r = 0; r < rows; r++)
        {
            var x = input.Slice(r * cols, cols);
            float norm = MathF.Max(TensorPrimitives.Norm(x), Epsilon);
            TensorPrimitives.Divide(x, norm, output.Slice(r * cols, cols));
        }
    }

    /// <summary>
    /// Gradient of <see cref="Forward"/>: from the forward input and dLoss/dOutput, writes dLoss/dInput
    /// (overwritten; may alias <paramref name="outputGradient"/>). For ‖x‖ &gt; ε: (g − y (y·g)) / ‖x‖; else g / ε.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> input, int cols, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
    {
        int rows = Rows(input.Length, cols, outputGradient.Length);
        if (inputGradient.Length != input.Length) throw new ArgumentException("inputGradient must match input in length.", nameof(inputGradient));
        for (int r = 0; r < rows; r++)
        {
            var x = input.Slice(r * cols, cols);
            var g = outputGradient.Slice(r * cols, cols);
            var dx = inputGradient.Slice(r * cols, cols);
            float norm = TensorPrimitives.Norm(x);
            if (norm > Epsilon)
            {
                // y·g = (x·g)/‖x‖, so dx = g/‖x‖ − x (x·g)/‖x‖³.
                float xg = TensorPrimitives.Dot(x, g);
                float a = 1f / norm, b = -xg / (norm * norm * norm);
                for (int c = 0; c < cols; c++) dx[c] = g[c] * a + x[c] * b;
            }
            else TensorPrimitives.Divide(g, Epsilon, dx);
        }
    }

    /// <summary>Normalises each row of <paramref name="data"/> in place.</summary>
    public static void InPlace(Span<float> data, int cols) => Forward(data, cols, data);

    static int Rows(int inputLength, int cols, int otherLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        if (inputLength % cols != 0) throw new ArgumentException($"{inputLength} values do not split into rows of {cols}.");
        if (otherLength != inputLength) throw new ArgumentException($"buffers differ in length ({inputLength} vs {otherLength}).");
        return inputLength / cols;
    }
}
