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

    /// <summary>
    /// Activations of <see cref="ForwardTrain"/>. Disposing them (after <see cref="Backward"/>, or when only the
    /// output was needed) hands their buffers back to the backbone, and the next <see cref="ForwardTrain"/> of the
    /// same or a smaller batch reuses them instead of allocating: GradCache runs every chunk in one arena.
    /// Not disposing is fine (the garbage collector frees them); using them after disposing is not.
    /// </summary>
    sealed class BertActivations : BackboneActivations, IDisposable
    {
        public required BertBackbone Owner;
        public required ulong Seed;
        public required float HiddenRate, AttentionRate;
        public required TrainArena Arena;
        public float[] EmbSum => Arena.EmbSum;
        public float[] EmbMean => Arena.EmbMean;
        public float[] EmbRstd => Arena.EmbRstd;
        public float[] EmbOut => Arena.EmbOut;
        public LayerCache[] Layers => Arena.Layers;
        public required long[] ProbOffsets;
        int _disposed;
        public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            Owner.ReturnArena(Arena);
        }
    }

    // Spare arenas, one per set of activations that are alive at once (a training step holds one per column: anchors,
    // positives, negatives), so that steady-state steps allocate nothing. Fresh multi-hundred-MB arrays every step
    // cost more in page zeroing than the backward GEMMs (measured: 28 % of a MiniLM-shaped step in clear_page).
    const int MaxSpareArenas = 4;
    readonly List<TrainArena> _spareArenas = new();

    void ReturnArena(TrainArena arena)
    {
        lock (_spareArenas)
        {
            _spareArenas.Add(arena);
            if (_spareArenas.Count > MaxSpareArenas)
            {
                int smallest = 0;
                for (int i = 1; i < _spareArenas.Count; i++) if (_spareArenas[i].Tokens < _spareArenas[smallest].Tokens) smallest = i;
                _spareArenas.RemoveAt(smallest);
            }
        }
    }

    /// <summary>Buffers of one training forward pass, sized for up to <see cref="Tokens"/> tokens and <see cref="ProbValues"/> attention probabilities per layer.</summary>
    sealed class TrainArena
    {
        public required int Tokens;
        public required long ProbValues;
        public required float[] EmbSum, EmbMean, EmbRstd, EmbOut;
        public required LayerCache[] Layers;

        public static TrainArena Create(int tokens, long probValues, int layers, int H, int I)
        {
            var caches = new LayerCache[layers];
            for (int l = 0; l < layers; l++)
                caches[l] = new LayerCache
                {
                    Q = new float[tokens * H], K = new float[tokens * H], V = new float[tokens * H], Probs = new float[probValues],
                    Ctx = new float[tokens * H], Res1 = new float[tokens * H], Mean1 = new float[tokens], Rstd1 = new float[tokens], H1 = new float[tokens * H],
                    Pre = new float[tokens * I], Act = new float[tokens * I], Res2 = new float[tokens * H], Mean2 = new float[tokens], Rstd2 = new float[tokens],
                    Output = new float[tokens * H],
                };
            return new TrainArena
            {
                Tokens = tokens, ProbValues = probValues, Layers = caches,
                EmbSum = new float[tokens * H], EmbMean = new float[tokens], EmbRstd = new float[tokens], EmbOut = new float[tokens * H],
            };
        }
    }

    /// <summary>The smallest spare arena that fits the batch, else a new one (with headroom over the largest spare, which it replaces).</summary>
    TrainArena RentArena(int tokens, long probValues)
    {
        TrainArena? largest = null;
        lock (_spareArenas)
        {
            int best = -1;
            for (int i = 0; i < _spareArenas.Count; i++)
            {
                var a = _spareArenas[i];
                if (a.Tokens >= tokens && a.ProbValues >= probValues && (best < 0 || a.Tokens < _spareArenas[best].Tokens)) best = i;
            }
            if (best >= 0)
            {
                var fit = _spareArenas[best];
                _spareArenas.RemoveAt(best);
                return fit;
            }
            int li = -1;
            for (int i = 0; i < _spareArenas.Count; i++) if (li < 0 || _spareArenas[i].Tokens > _spareArenas[li].Tokens) li = i;
            if (li >= 0) { largest = _spareArenas[li]; _spareArenas.RemoveAt(li); } // too small: let it go before allocating
        }
        int capTokens = tokens; long capProbs = probValues;
        if (largest is not null)
        {
            capTokens = (int)Math.Min(Math.Max(tokens, largest.Tokens * 5L / 4), int.MaxValue / Math.Max(HiddenSize, Config.IntermediateSize));
            capProbs = Math.Min(Math.Max(probValues, largest.ProbValues * 5 / 4), Array.MaxLength);
            capTokens = Math.Max(capTokens, tokens); capProbs = Math.Max(capProbs, probValues);
        }
        largest = null;
        return TrainArena.Create(capTokens, capProbs, _layers.Length, HiddenSize, Config.IntermediateSize);
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

        var arena = RentArena(T, probOffsets[^1]);
        var x = arena.EmbOut;
        EmbeddingsForward(batch, arena.EmbSum, x, arena.EmbMean, arena.EmbRstd, dropoutSeed, hRate);
        for (int l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            var c = arena.Layers[l];
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
            x = c.Output;
        }
        // Output is exactly [T × H] (callers read its length); the arena's copy may be longer.
        var output = x.AsSpan(0, T * H).ToArray();
        return new BertActivations
        {
            Batch = batch, Output = output, Owner = this, Seed = dropoutSeed, HiddenRate = hRate, AttentionRate = aRate,
            Arena = arena, ProbOffsets = probOffsets,
        };
    }

    /// <inheritdoc />
    public void Backward(BackboneActivations activations, ReadOnlySpan<float> outputGradient)
    {
        if (activations is not BertActivations a || a.Owner != this)
            throw new ArgumentException("Activations come from another backbone's ForwardTrain.", nameof(activations));
        ObjectDisposedException.ThrowIf(a.IsDisposed, activations);
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
        else WorkerPool.For(items, Sgemm.MaxThreads, Item);
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
