using System.Numerics.Tensors;
using MLNet.Embeddings.Backbones.Rope;
using MLNet.Embeddings.Kernels;

namespace MLNet.Embeddings.Backbones.Qwen3;

public sealed partial class Qwen3Backbone
{
    sealed class Qwen3Activations : BackboneActivations
    {
        public required Qwen3Backbone Owner;
        public required float[] Embedded;
        public required Cache[] Layers;
        public required float[] FinalInput, RstdF;
        public required long[] ProbOffsets;
    }

    /// <inheritdoc />
    public BackboneActivations ForwardTrain(TokenBatch batch, ulong dropoutSeed)
    {
        if (HiddenDropout != 0 || AttentionDropout != 0)
            throw new NotSupportedException($"The Qwen3 backbone trains without dropout (hidden {HiddenDropout}, attention {AttentionDropout} requested); set both to 0.");
        Validate(batch);
        int T = batch.TotalTokens, H = HiddenSize;
        var offsets = RopeAttention.ProbOffsets(batch, Config.NumAttentionHeads);
        if (offsets[^1] > Array.MaxLength) throw new ArgumentException("Batch too large for attention buffers; split it.", nameof(batch));
        var embedded = new float[T * H];
        Embed(batch, embedded);
        var rotary = RotaryFor(Math.Max(1, batch.MaxLength));
        var caches = new Cache[_layers.Length];
        var x = embedded;
        for (int l = 0; l < _layers.Length; l++)
        {
            var c = caches[l] = new Cache();
            c.Ensure(T, Config, offsets[^1], keepProbs: true);
            LayerForward(l, batch, rotary, x, c, c.Out, offsets);
            x = c.Out;
        }
        var rstdF = new float[T];
        var output = new float[T * H];
        RmsNorm.Forward(x, _norm.Value, output, rstdF, T, H, Config.RmsNormEps);
        return new Qwen3Activations
        {
            Batch = batch, Output = output, Owner = this, Embedded = embedded, Layers = caches, FinalInput = x, RstdF = rstdF, ProbOffsets = offsets,
        };
    }

    /// <inheritdoc />
    public void Backward(BackboneActivations activations, ReadOnlySpan<float> outputGradient)
    {
        if (activations is not Qwen3Activations a || a.Owner != this)
            throw new ArgumentException("Activations come from another backbone's ForwardTrain.", nameof(activations));
        var batch = a.Batch;
        int T = batch.TotalTokens, H = HiddenSize, I = Config.IntermediateSize, d = Config.HeadDim;
        int nh = Config.NumAttentionHeads, nkv = Config.NumKeyValueHeads, qd = nh * d, kd = nkv * d;
        if (outputGradient.Length != T * H)
            throw new ArgumentException($"Output gradient has {outputGradient.Length} values, expected {T}×{H}.", nameof(outputGradient));
        if (T == 0) return;
        var rotary = RotaryFor(Math.Max(1, batch.MaxLength));
        float scale = 1f / MathF.Sqrt(d);
        var g = new float[T * H];       // dL/d(residual stream) entering the current layer from above
        var dX2 = new float[T * H];
        var dH = new float[T * H];
        var dA = new float[T * I]; var dG = new float[T * I]; var dU = new float[T * I];
        var dCtx = new float[T * qd]; var dQ = new float[T * qd]; var dQn = new float[T * qd];
        var dK = new float[T * kd]; var dKn = new float[T * kd]; var dV = new float[T * kd];
        RmsNorm.Backward(outputGradient, a.FinalInput, a.RstdF, _norm.Value, g, _norm.Grad, T, H);
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            var layer = _layers[l]; var c = a.Layers[l];
            var x = l == 0 ? a.Embedded : a.Layers[l - 1].Out;
            // y = x₂ + Wd·a
            Linear.Backward(g, c.A, layer.Wd.Value, dA, layer.Wd.Grad, default, T, I, H);
            SwiGlu.Backward(c.G.AsSpan(0, T * I), c.U.AsSpan(0, T * I), dA, dG, dU);
            Linear.Backward(dG, c.H2, layer.Wg.Value, dH, layer.Wg.Grad, default, T, H, I);
            Linear.Backward(dU, c.H2, layer.Wu.Value, dH, layer.Wu.Grad, default, T, H, I, accumulateDx: true);
            g.AsSpan().CopyTo(dX2);
            RmsNorm.Backward(dH, c.X2, c.Rstd2, layer.PostNorm.Value, dX2, layer.PostNorm.Grad, T, H, accumulate: true);
            // x₂ = x + Wo·ctx
            Linear.Backward(dX2, c.Ctx, layer.Wo.Value, dCtx, layer.Wo.Grad, layer.Bo is null ? default : layer.Bo.Grad, T, qd, H);
            RopeAttention.Backward(batch, nh, nkv, d, scale, layer.Mask, c.Qr, c.Kr, c.V, c.Probs, a.ProbOffsets, dCtx, dQn, dKn, dV);
            for (int s = 0; s < batch.Count; s++)
                for (int t = batch.Starts[s], p = 0; t < batch.Starts[s + 1]; t++, p++)
                {
                    rotary.Backward(dQn.AsSpan(t * qd, qd), nh, p);
                    rotary.Backward(dKn.AsSpan(t * kd, kd), nkv, p);
                }
            RmsNorm.Backward(dQn, c.Q, c.RstdQ, layer.QNorm.Value, dQ, layer.QNorm.Grad, T * nh, d);
            RmsNorm.Backward(dKn, c.K, c.RstdK, layer.KNorm.Value, dK, layer.KNorm.Grad, T * nkv, d);
            Linear.Backward(dQ, c.H1, layer.Wq.Value, dH, layer.Wq.Grad, layer.Bq is null ? default : layer.Bq.Grad, T, H, qd);
            Linear.Backward(dK, c.H1, layer.Wk.Value, dH, layer.Wk.Grad, layer.Bk is null ? default : layer.Bk.Grad, T, H, kd, accumulateDx: true);
            Linear.Backward(dV, c.H1, layer.Wv.Value, dH, layer.Wv.Grad, layer.Bv is null ? default : layer.Bv.Grad, T, H, kd, accumulateDx: true);
            dX2.AsSpan().CopyTo(g);
            RmsNorm.Backward(dH, x, c.Rstd1, layer.InNorm.Value, g, layer.InNorm.Grad, T, H, accumulate: true);
        }
        var dE = _embed.Grad;
        for (int t = 0; t < T; t++)
        {
            int id = batch.Ids[t];
            var row = dE.AsSpan(id * H, H);
            TensorPrimitives.Add(row, g.AsSpan(t * H, H), row);
            _embed.TouchedRows?.Add(id);
        }
    }
}
