using System.Numerics.Tensors;
using MLNet.Embeddings.Kernels;

namespace MLNet.Embeddings.Backbones.Bert;

public sealed partial class BertBackbone
{
    // Dropout sites (with the layer index, they seed independent mask streams).
    const int SiteEmbeddings = 0, SiteAttentionProbs = 1, SiteAttentionOutput = 2, SiteFeedForward = 3;

    /// <summary>What one layer's training forward pass keeps.</summary>
    sealed class LayerCache
    {
        public required float[] Q, K, V, Probs, Ctx, Res1, Mean1, Rstd1, H1, Pre, Act, Res2, Mean2, Rstd2, Output;
    }

    /// <summary>Activations of <see cref="ForwardTrain"/>.</summary>
    sealed class BertActivations : BackboneActivations
    {
        public required BertBackbone Owner;
        public required ulong Seed;
        public required float HiddenRate, AttentionRate;
        public required float[] EmbSum, EmbMean, EmbRstd, EmbOut;
        public required LayerCache[] Layers;
        public required long[] ProbOffsets;
    }

    /// <inheritdoc />
    public BackboneActivations ForwardTrain(TokenBatch batch, ulong dropoutSeed)
    {
        Validate(batch);
        int T = batch.TotalTokens, H = HiddenSize, I = Config.IntermediateSize, heads = Config.NumAttentionHeads;
        float hRate = HiddenDropout, aRate = AttentionDropout;
        var probOffsets = new long[batch.Count + 1];
        for (int s = 0; s < batch.Count; s++) probOffsets[s + 1] = probOffsets[s] + (long)heads * batch.Length(s) * batch.Length(s);
        if (probOffsets[^1] > Array.MaxLength) throw new ArgumentException("Batch too large for attention buffers; split it.", nameof(batch));

        var embSum = new float[T * H]; var embMean = new float[T]; var embRstd = new float[T];
        var x = new float[T * H];
        EmbeddingsForward(batch, embSum, x, embMean, embRstd, dropoutSeed, hRate);
        var embOut = x;
        var caches = new LayerCache[_layers.Length];
        for (int l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            var c = new LayerCache
            {
                Q = new float[T * H], K = new float[T * H], V = new float[T * H], Probs = new float[probOffsets[^1]],
                Ctx = new float[T * H], Res1 = new float[T * H], Mean1 = new float[T], Rstd1 = new float[T], H1 = new float[T * H],
                Pre = new float[T * I], Act = new float[T * I], Res2 = new float[T * H], Mean2 = new float[T], Rstd2 = new float[T],
                Output = new float[T * H],
            };
            Linear.Forward(x, layer.Wq.Value, layer.Bq.Value, c.Q, T, H, H);
            Linear.Forward(x, layer.Wk.Value, layer.Bk.Value, c.K, T, H, H);
            Linear.Forward(x, layer.Wv.Value, layer.Bv.Value, c.V, T, H, H);
            Attention(batch, c.Q, c.K, c.V, c.Ctx, c.Probs, probOffsets, Dropout.Stream(dropoutSeed, l, SiteAttentionProbs), aRate);
            Linear.Forward(c.Ctx, layer.Wao.Value, layer.Bao.Value, c.Res1, T, H, H);
            Dropout.Apply(c.Res1.AsSpan(0, T * H), Dropout.Stream(dropoutSeed, l, SiteAttentionOutput), 0, hRate);
            AddInPlace(c.Res1, x, T * H);
            LayerNormRows(c.Res1, layer.G1.Value, layer.B1.Value, c.H1, c.Mean1, c.Rstd1, T);
            Linear.Forward(c.H1, layer.Wi.Value, layer.Bi.Value, c.Pre, T, H, I);
            ActivationRows(c.Pre, c.Act, T * I);
            Linear.Forward(c.Act, layer.Wo.Value, layer.Bo.Value, c.Res2, T, I, H);
            Dropout.Apply(c.Res2.AsSpan(0, T * H), Dropout.Stream(dropoutSeed, l, SiteFeedForward), 0, hRate);
            AddInPlace(c.Res2, c.H1, T * H);
            LayerNormRows(c.Res2, layer.G2.Value, layer.B2.Value, c.Output, c.Mean2, c.Rstd2, T);
            caches[l] = c;
            x = c.Output;
        }
        return new BertActivations
        {
            Batch = batch, Output = x, Owner = this, Seed = dropoutSeed, HiddenRate = hRate, AttentionRate = aRate,
            EmbSum = embSum, EmbMean = embMean, EmbRstd = embRstd, EmbOut = embOut, Layers = caches, ProbOffsets = probOffsets,
        };
    }

    /// <inheritdoc />
    public void Backward(BackboneActivations activations, ReadOnlySpan<float> outputGradient)
    {
        if (activations is not BertActivations a || a.Owner != this)
            throw new ArgumentException("Activations come from another backbone's ForwardTrain.", nameof(activations));
        var batch = a.Batch;
        int T = batch.TotalTokens, H = HiddenSize, I = Config.IntermediateSize;
        if (outputGradient.Length != T * H)
            throw new ArgumentException($"Output gradient has {outputGradient.Length} values, expected {T}×{H}.", nameof(outputGradient));
        if (T == 0) return;
        var ws = Interlocked.Exchange(ref _spareBackward, null) ?? new BackwardWorkspace();
        try
        {
            ws.Ensure(T, H, I);
            var g = ws.G; var dRes = ws.DRes; var dTmp = ws.DTmp; var dInter = ws.DInter;
            outputGradient.CopyTo(g);
            for (int l = _layers.Length - 1; l >= 0; l--)
            {
                var layer = _layers[l]; var c = a.Layers[l];
                var x = l == 0 ? a.EmbOut : a.Layers[l - 1].Output;
                // Output LayerNorm: g → dRes (gradient of Res2 = FFN output (dropped) + H1).
                LayerNorm.Backward(g.AsSpan(0, T * H), c.Res2, c.Mean2, c.Rstd2, layer.G2.Value, dRes, layer.G2.Grad, layer.B2.Grad, T, H);
                // Feed-forward branch.
                dRes.AsSpan(0, T * H).CopyTo(dTmp);
                Dropout.Apply(dTmp.AsSpan(0, T * H), Dropout.Stream(a.Seed, l, SiteFeedForward), 0, a.HiddenRate);
                Linear.Backward(dTmp, c.Act, layer.Wo.Value, dInter, layer.Wo.Grad, layer.Bo.Grad, T, I, H);
                Activation.Backward(Config.HiddenAct, c.Pre.AsSpan(0, T * I), dInter, dInter);
                // dH1 = residual part + intermediate's input gradient (into dRes).
                Linear.Backward(dInter, c.H1, layer.Wi.Value, dRes, layer.Wi.Grad, layer.Bi.Grad, T, H, I, accumulateDx: true);
                // Attention LayerNorm: dRes → g (gradient of Res1 = attention output (dropped) + x).
                LayerNorm.Backward(dRes.AsSpan(0, T * H), c.Res1, c.Mean1, c.Rstd1, layer.G1.Value, g, layer.G1.Grad, layer.B1.Grad, T, H);
                g.AsSpan(0, T * H).CopyTo(dTmp);
                Dropout.Apply(dTmp.AsSpan(0, T * H), Dropout.Stream(a.Seed, l, SiteAttentionOutput), 0, a.HiddenRate);
                Linear.Backward(dTmp, c.Ctx, layer.Wao.Value, ws.DCtx, layer.Wao.Grad, layer.Bao.Grad, T, H, H);
                AttentionBackward(batch, c, a.ProbOffsets, ws.DCtx, ws.DQ, ws.DK, ws.DV, Dropout.Stream(a.Seed, l, SiteAttentionProbs), a.AttentionRate);
                // g (residual) += Q/K/V input gradients.
                Linear.Backward(ws.DQ, x, layer.Wq.Value, g, layer.Wq.Grad, layer.Bq.Grad, T, H, H, accumulateDx: true);
                Linear.Backward(ws.DK, x, layer.Wk.Value, g, layer.Wk.Grad, layer.Bk.Grad, T, H, H, accumulateDx: true);
                Linear.Backward(ws.DV, x, layer.Wv.Value, g, layer.Wv.Grad, layer.Bv.Grad, T, H, H, accumulateDx: true);
            }
            // Embeddings.
            Dropout.Apply(g.AsSpan(0, T * H), Dropout.Stream(a.Seed, -1, SiteEmbeddings), 0, a.HiddenRate);
            LayerNorm.Backward(g.AsSpan(0, T * H), a.EmbSum, a.EmbMean, a.EmbRstd, _embGamma.Value, dRes, _embGamma.Grad, _embBeta.Grad, T, H);
            var dWord = _word.Grad; var dPos = _position.Grad; var dType = _tokenType.Grad;
            int offset = Config.PositionOffset;
            for (int s = 0; s < batch.Count; s++)
            {
                int start = batch.Starts[s], len = batch.Length(s);
                for (int t = 0; t < len; t++)
                {
                    int row = start + t;
                    var dr = dRes.AsSpan(row * H, H);
                    int id = batch.Ids[row];
                    var w = dWord.AsSpan(id * H, H); TensorPrimitives.Add(w, dr, w);
                    _word.TouchedRows?.Add(id);
                    var p = dPos.AsSpan((offset + t) * H, H); TensorPrimitives.Add(p, dr, p);
                    var ty = dType.AsSpan(batch.TypeIds[row] * H, H); TensorPrimitives.Add(ty, dr, ty);
                }
            }
        }
        finally { _spareBackward = ws; }
    }

    [ThreadStatic] static float[]? t_dscores;

    /// <summary>Backward of <see cref="Attention"/>: dCtx → dQ, dK, dV (overwritten).</summary>
    void AttentionBackward(TokenBatch batch, LayerCache c, long[] probOffsets, float[] dCtx, float[] dQ, float[] dK, float[] dV, ulong stream, float rate)
    {
        int H = HiddenSize, heads = Config.NumAttentionHeads, d = Config.HeadSize;
        float scale = 1f / MathF.Sqrt(d);
        int items = batch.Count * heads;
        void Item(int w)
        {
            int s = w / heads, h = w % heads;
            int L = batch.Length(s), off = batch.Starts[s] * H + h * d;
            if (L == 0) return;
            long pOff = probOffsets[s] + (long)h * L * L;
            ReadOnlySpan<float> probs = c.Probs.AsSpan((int)pOff, L * L);
            ReadOnlySpan<float> pUsed = probs;
            if (rate > 0f)
            {
                var dropped = Scratch(ref t_scores2, L * L).AsSpan(0, L * L);
                probs.CopyTo(dropped);
                Dropout.Apply(dropped, stream, pOff, rate);
                pUsed = dropped;
            }
            // dV = Pᵀ·dCtx ; dP = dCtx·Vᵀ
            Sgemm.Gemm(true, false, L, d, L, 1f, pUsed, L, dCtx.AsSpan(off), H, 0f, dV.AsSpan(off), H, parallel: false);
            var dS = Scratch(ref t_dscores, L * L).AsSpan(0, L * L);
            Sgemm.Gemm(false, true, L, L, d, 1f, dCtx.AsSpan(off), H, c.V.AsSpan(off), H, 0f, dS, L, parallel: false);
            if (rate > 0f) Dropout.Apply(dS, stream, pOff, rate);
            Softmax.Backward(probs, dS, dS, L, L, L);
            // S = scale·Q·Kᵀ: dQ = scale·dS·K ; dK = scale·dSᵀ·Q
            Sgemm.Gemm(false, false, L, d, L, scale, dS, L, c.K.AsSpan(off), H, 0f, dQ.AsSpan(off), H, parallel: false);
            Sgemm.Gemm(true, false, L, d, L, scale, dS, L, c.Q.AsSpan(off), H, 0f, dK.AsSpan(off), H, parallel: false);
        }
        long work = 0;
        for (int s = 0; s < batch.Count; s++) work += (long)batch.Length(s) * batch.Length(s) * H;
        if (Sgemm.MaxThreads <= 1 || work < 1 << 16 || items == 1) { for (int w = 0; w < items; w++) Item(w); }
        else Parallel.For(0, items, Sgemm.Options(Sgemm.MaxThreads), Item);
    }

    /// <summary>Reusable backward buffers.</summary>
    sealed class BackwardWorkspace
    {
        public float[] G = [], DRes = [], DTmp = [], DCtx = [], DQ = [], DK = [], DV = [], DInter = [];

        public void Ensure(int tokens, int hidden, int inter)
        {
            int n = tokens * hidden;
            if (G.Length < n)
            {
                int cap = Math.Max(n, G.Length * 3 / 2);
                G = new float[cap]; DRes = new float[cap]; DTmp = new float[cap]; DCtx = new float[cap];
                DQ = new float[cap]; DK = new float[cap]; DV = new float[cap];
            }
            if (DInter.Length < tokens * inter) DInter = new float[Math.Max(tokens * inter, DInter.Length * 3 / 2)];
        }
    }
}
