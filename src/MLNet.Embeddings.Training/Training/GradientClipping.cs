using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training;

/// <summary>Gradient clipping by global L2 norm, as torch.nn.utils.clip_grad_norm_.</summary>
public static class GradientClipping
{
    /// <summary>Scales all gradients by <c>maxNorm / (norm + 1e-6)</c> when that is below 1; returns the norm before clipping.</summary>
    public static double ClipByGlobalNorm(IReadOnlyList<Parameter> parameters, double maxNorm)
    {
        double sum = 0;
        const int Chunk = 4096; // float sums of short chunks (SIMD), added up in double
        foreach (var p in parameters)
        {
            if (!p.HasGrad) continue;
            var grad = p.Grad.AsSpan();
            for (int i = 0; i < grad.Length; i += Chunk)
                sum += System.Numerics.Tensors.TensorPrimitives.SumOfSquares(grad.Slice(i, Math.Min(Chunk, grad.Length - i)));
        }
        double norm = Math.Sqrt(sum);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1)
            foreach (var p in parameters)
                if (p.HasGrad) System.Numerics.Tensors.TensorPrimitives.Multiply(p.Grad, (float)coef, p.Grad);
        return norm;
    }
}
