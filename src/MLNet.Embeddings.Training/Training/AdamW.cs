using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training;

/// <summary>
/// AdamW (Loshchilov and Hutter 2019, "Decoupled Weight Decay Regularization") with torch.optim.AdamW semantics:
/// <c>θ ← θ·(1 − lr·wd)</c>, then the bias-corrected Adam step <c>θ ← θ − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)</c>.
/// </summary>
/// <remarks>
/// Parameters with <see cref="Parameter.NoWeightDecay"/> (biases, LayerNorm) are not decayed, as Hugging Face's
/// Trainer groups them. Parameters with <see cref="Parameter.TouchedRows"/> set are updated lazily: only the touched
/// rows' moments, decay and values change (like torch.optim.SparseAdam / TF LazyAdam); untouched rows keep stale
/// moments instead of decaying them, and the bias correction uses the global step. For a dense run this is
/// identical to torch.
/// </remarks>
public sealed class AdamW
{
    readonly IReadOnlyList<Parameter> _params;
    readonly float[][] _m, _v;

    /// <summary>Creates the optimiser over <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="weightDecay">Decoupled weight decay.</param>
    /// <param name="beta1">First-moment decay.</param>
    /// <param name="beta2">Second-moment decay.</param>
    /// <param name="epsilon">Denominator epsilon.</param>
    /// <param name="lazySparseRows">Update only <see cref="Parameter.TouchedRows"/> where set (lazy Adam); false updates every row as torch does.</param>
    public AdamW(IReadOnlyList<Parameter> parameters, float weightDecay = 0.01f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f,
        bool lazySparseRows = true)
    {
        _params = parameters; WeightDecay = weightDecay; Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon; LazySparseRows = lazySparseRows;
        _m = parameters.Select(p => new float[p.Value.Length]).ToArray();
        _v = parameters.Select(p => new float[p.Value.Length]).ToArray();
    }

    /// <summary>Decoupled weight decay (HF Trainer default 0; sentence-transformers 0.01).</summary>
    public float WeightDecay { get; }
    /// <summary>First-moment decay (0.9).</summary>
    public float Beta1 { get; }
    /// <summary>Second-moment decay (0.999).</summary>
    public float Beta2 { get; }
    /// <summary>Denominator epsilon (torch and HF default 1e-8).</summary>
    public float Epsilon { get; }
    /// <summary>Whether parameters with <see cref="Parameter.TouchedRows"/> are updated lazily (only those rows).</summary>
    public bool LazySparseRows { get; }
    /// <summary>
    /// Per-parameter multipliers of the learning rate (discriminative rates), in the order of the parameters; 0 freezes
    /// a parameter (no step, no decay). Null: every parameter at the full rate.
    /// </summary>
    public float[]? RateScales { get; set; }
    /// <summary>Steps taken so far.</summary>
    public long Step { get; private set; }

    /// <summary>First moments, one array per parameter (checkpoints).</summary>
    public IReadOnlyList<float[]> FirstMoments => _m;
    /// <summary>Second moments, one array per parameter (checkpoints).</summary>
    public IReadOnlyList<float[]> SecondMoments => _v;

    /// <summary>Restores the step count (with the moments copied into <see cref="FirstMoments"/>/<see cref="SecondMoments"/>).</summary>
    public void Restore(long step) => Step = step;

    /// <summary>One update with learning rate <paramref name="lr"/> from the accumulated gradients; clears TouchedRows.</summary>
    public void Update(float lr)
    {
        Step++;
        double bc1 = 1 - Math.Pow(Beta1, Step), bc2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, Step));
        float stepSize = (float)(lr / bc1), invBc2 = (float)(1 / bc2Sqrt);
        for (int p = 0; p < _params.Count; p++)
        {
            var prm = _params[p];
            if (!prm.HasGrad) continue;
            float scale = RateScales?[p] ?? 1f;
            if (scale == 0f) { prm.TouchedRows?.Clear(); continue; }
            float plr = lr * scale;
            stepSize = (float)(plr / bc1);
            float decay = prm.NoWeightDecay ? 1f : 1f - plr * WeightDecay;
            if (prm.TouchedRows is { } rows && LazySparseRows)
            {
                int width = prm.Shape.Length > 1 ? prm.Value.Length / prm.Shape[0] : 1;
                foreach (var r in rows) UpdateRange(prm, p, r * width, width, decay, stepSize, invBc2);
                rows.Clear();
            }
            else
            {
                prm.TouchedRows?.Clear();
                UpdateRange(prm, p, 0, prm.Value.Length, decay, stepSize, invBc2);
            }
            prm.MarkChanged();
        }
    }

    void UpdateRange(Parameter prm, int p, int start, int count, float decay, float stepSize, float invBc2)
    {
        var w = prm.Value.AsSpan(start, count); var g = prm.Grad.AsSpan(start, count);
        var m = _m[p].AsSpan(start, count); var v = _v[p].AsSpan(start, count);
        float b1 = Beta1, b2 = Beta2, eps = Epsilon;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // The scalar steps below, 16 lanes at a time, in the same order and without fused multiply-adds, so the
            // result is bit-identical to the scalar loop (and to torch's within float rounding).
            ref float wr = ref MemoryMarshal.GetReference(w); ref float gr = ref MemoryMarshal.GetReference(g);
            ref float mr = ref MemoryMarshal.GetReference(m); ref float vr = ref MemoryMarshal.GetReference(v);
            var vDecay = Vector512.Create(decay); var oneMinusB1 = Vector512.Create(1 - b1); var vb2 = Vector512.Create(b2);
            var oneMinusB2 = Vector512.Create(1 - b2); var vStep = Vector512.Create(stepSize); var vInv = Vector512.Create(invBc2);
            var vEps = Vector512.Create(eps);
            for (; i <= w.Length - 16; i += 16)
            {
                var gi = Vector512.LoadUnsafe(ref gr, (nuint)i);
                var wi = Vector512.LoadUnsafe(ref wr, (nuint)i) * vDecay;
                var mi = Vector512.LoadUnsafe(ref mr, (nuint)i);
                mi += (gi - mi) * oneMinusB1;
                var vi = Vector512.LoadUnsafe(ref vr, (nuint)i) * vb2 + oneMinusB2 * gi * gi;
                wi -= vStep * mi / (Vector512.Sqrt(vi) * vInv + vEps);
                wi.StoreUnsafe(ref wr, (nuint)i); mi.StoreUnsafe(ref mr, (nuint)i); vi.StoreUnsafe(ref vr, (nuint)i);
            }
        }
        for (; i < w.Length; i++)
        {
            float gi = g[i];
            w[i] *= decay;
            m[i] += (gi - m[i]) * (1 - b1); // torch: exp_avg.lerp_(grad, 1 − β₁)
            v[i] = v[i] * b2 + (1 - b2) * gi * gi;
            w[i] -= stepSize * m[i] / (MathF.Sqrt(v[i]) * invBc2 + eps);
        }
    }
}
