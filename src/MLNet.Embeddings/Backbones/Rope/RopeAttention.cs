using MLNet.Embeddings.Kernels;

namespace MLNet.Embeddings.Backbones.Rope;

/// <summary>
/// Scaled dot-product attention over packed sequences with grouped-query heads and a mask (causal, sliding
/// window or bidirectional), forward and backward. Queries are <c>[T × heads·d]</c>, keys and values
/// <c>[T × kvHeads·d]</c>; query head <c>h</c> reads key/value head <c>h / (heads / kvHeads)</c>. Masked
/// probabilities are exactly zero, and the softmax runs only over the visible keys of each row.
/// </summary>
internal static class RopeAttention
{
    [ThreadStatic] static float[]? t_scores, t_dscores;

    static Span<float> Scratch(ref float[]? buffer, int n) => (buffer is { } b && b.Length >= n ? b : (buffer = new float[Math.Max(n, 1024)])).AsSpan(0, n);

    /// <summary>Offsets of each (sequence, head) probability block: Count + 1 entries.</summary>
    public static long[] ProbOffsets(TokenBatch batch, int heads)
    {
        var o = new long[batch.Count + 1];
        for (int s = 0; s < batch.Count; s++) o[s + 1] = o[s] + (long)heads * batch.Length(s) * batch.Length(s);
        return o;
    }

    public static void Forward(TokenBatch batch, int heads, int kvHeads, int d, float scale, AttentionMask mask,
        float[] q, float[] k, float[] v, float[] ctx, float[]? probs, long[]? probOffsets)
    {
        int group = heads / kvHeads, qld = heads * d, kld = kvHeads * d;
        void Item(int w)
        {
            int s = w / heads, h = w % heads, kh = h / group;
            int L = batch.Length(s), start = batch.Starts[s];
            if (L == 0) return;
            Span<float> p = probs is not null ? probs.AsSpan((int)(probOffsets![s] + (long)h * L * L), L * L) : Scratch(ref t_scores, L * L);
            Sgemm.Gemm(false, true, L, L, d, 1f, q.AsSpan(start * qld + h * d), qld, k.AsSpan(start * kld + kh * d), kld, 0f, p, L, parallel: false);
            for (int i = 0; i < L; i++)
            {
                int a = mask.From(i), b = mask.To(i, L);
                var row = p.Slice(i * L, L);
                row[..a].Clear();
                Softmax.Forward(row[a..b], 1, b - a, b - a, scale);
                row[b..].Clear();
            }
            Sgemm.Gemm(false, false, L, d, L, 1f, p, L, v.AsSpan(start * kld + kh * d), kld, 0f, ctx.AsSpan(start * qld + h * d), qld, parallel: false);
        }
        Run(batch, heads, qld, Item);
    }

    /// <summary>dCtx → dQ (overwritten), dK and dV (overwritten; heads sharing a key/value head add up).</summary>
    public static void Backward(TokenBatch batch, int heads, int kvHeads, int d, float scale, AttentionMask mask,
        float[] q, float[] k, float[] v, float[] probs, long[] probOffsets, float[] dCtx, float[] dQ, float[] dK, float[] dV)
    {
        int group = heads / kvHeads, qld = heads * d, kld = kvHeads * d;
        // One work item per (sequence, key/value head): the heads of a group write the same dK/dV rows.
        void Item(int w)
        {
            int s = w / kvHeads, kh = w % kvHeads;
            int L = batch.Length(s), start = batch.Starts[s];
            if (L == 0) return;
            var kS = k.AsSpan(start * kld + kh * d); var vS = v.AsSpan(start * kld + kh * d);
            var dK_ = dK.AsSpan(start * kld + kh * d); var dV_ = dV.AsSpan(start * kld + kh * d);
            for (int g = 0; g < group; g++)
            {
                int h = kh * group + g;
                float beta = g == 0 ? 0f : 1f;
                ReadOnlySpan<float> p = probs.AsSpan((int)(probOffsets[s] + (long)h * L * L), L * L);
                var dc = dCtx.AsSpan(start * qld + h * d);
                // dV += Pᵀ·dCtx ; dP = dCtx·Vᵀ
                Sgemm.Gemm(true, false, L, d, L, 1f, p, L, dc, qld, beta, dV_, kld, parallel: false);
                var dS = Scratch(ref t_dscores, L * L);
                Sgemm.Gemm(false, true, L, L, d, 1f, dc, qld, vS, kld, 0f, dS, L, parallel: false);
                Softmax.Backward(p, dS, dS, L, L, L); // masked p are 0, so their dS are 0
                // S = scale·Q·Kᵀ: dQ = scale·dS·K ; dK += scale·dSᵀ·Q
                Sgemm.Gemm(false, false, L, d, L, scale, dS, L, kS, kld, 0f, dQ.AsSpan(start * qld + h * d), qld, parallel: false);
                Sgemm.Gemm(true, false, L, d, L, scale, dS, L, q.AsSpan(start * qld + h * d), qld, beta, dK_, kld, parallel: false);
            }
        }
        Run(batch, kvHeads, qld, Item);
    }

    static void Run(TokenBatch batch, int perSequence, int width, Action<int> item)
    {
        int items = batch.Count * perSequence;
        long work = 0;
        for (int s = 0; s < batch.Count; s++) work += (long)batch.Length(s) * batch.Length(s) * width;
        if (Sgemm.MaxThreads <= 1 || work < 1 << 16 || items == 1) { for (int w = 0; w < items; w++) item(w); }
        else WorkerPool.For(items, Sgemm.MaxThreads, item);
    }
}
