using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training.Training;

/// <summary>Gradient clipping by global L2 norm, as torch.nn.utils.clip_grad_norm_.</summary>
public static class GradientClipping
{
    /// <summary>Scales all gradients by <c>maxNorm / (norm + 1e-6)</c> when that is below 1; returns the norm before clipping.</summary>
    public static double ClipByGlobalNorm(IReadOnlyList<Parameter> parameters, double maxNorm)
    {
        double sum = 0;
        foreach (var p in parameters)
            if (p.HasGrad) foreach (var g in p.Grad) sum += (double)g * g;
        double norm = Math.Sqrt(sum);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1)
            foreach (var p in parameters)
                if (p.HasGrad) System.Numerics.Tensors.TensorPrimitives.Multiply(p.Grad, (float)coef, p.Grad);
        return norm;
    }
}
