using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNet.Embeddings.Kernels;

/// <summary>
/// Single-precision matrix multiply on row-major spans: <c>C = alpha·op(A)·op(B) + beta·C</c>, where
/// <c>op(X)</c> is <c>X</c> or <c>Xᵀ</c>. Cache-blocked (BLIS-style: panels of B packed for L1/L2, blocks of A
/// packed per thread), a 6×16 <see cref="Vector256{T}"/> FMA micro-kernel when AVX2 and FMA are present and a
/// portable scalar kernel otherwise, and parallel over M×N tiles for large products.
/// </summary>
/// <remarks>
/// The three forms a linear layer needs: forward <c>Y = X·Wᵀ</c> (transB), input gradient <c>dX = dY·W</c>
/// (plain) and weight gradient <c>dW += dYᵀ·X</c> (transA, beta 1). Strides let callers address sub-matrices,
/// e.g. one attention head inside a [tokens × hidden] buffer.
/// </remarks>
public static unsafe class Sgemm
{
    const int MR = 6, NR = 16;
    const int KC = 512, MC = 120, NC = 4096;
    const long ParallelFlops = 1L << 20;

    /// <summary>Most threads one product uses (default: processor count). 1 turns threading off.</summary>
    public static int MaxThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>Whether the SIMD micro-kernel is in use (AVX2 + FMA present and not disabled).</summary>
    public static bool IsAccelerated => Avx2.IsSupported && Fma.IsSupported && !ForcePortable;

    /// <summary>Tests set this to exercise the portable kernel.</summary>
    internal static bool ForcePortable { get; set; }

    /// <summary>Whether the 12×32 <see cref="Vector512{T}"/> micro-kernel is in use (AVX-512F present and not disabled).</summary>
    public static bool IsAvx512 => IsAccelerated && Avx512F.IsSupported && Vector512.IsHardwareAccelerated && !ForceAvx2;

    /// <summary>Tests set this to exercise the AVX2 kernel on machines with AVX-512.</summary>
    internal static bool ForceAvx2 { get; set; }

    static ParallelOptions? s_options;

    /// <summary>Parallel options for <paramref name="threads"/> workers (cached: no allocation per call).</summary>
    internal static ParallelOptions Options(int threads)
    {
        var o = s_options;
        if (o is null || o.MaxDegreeOfParallelism != threads) s_options = o = new ParallelOptions { MaxDegreeOfParallelism = threads };
        return o;
    }

    [ThreadStatic] static float[]? t_aPack;
    [ThreadStatic] static float[]? t_bPack;

    /// <summary>
    /// <c>C[m×n] = alpha·op(A)·op(B) + beta·C</c>. op(A) is m×k: A is stored [m×k] with row stride
    /// <paramref name="lda"/>, or [k×m] when <paramref name="transA"/>. op(B) is k×n: B is stored [k×n] with row
    /// stride <paramref name="ldb"/>, or [n×k] when <paramref name="transB"/>. With beta 0, C is not read.
    /// </summary>
    /// <param name="transA">Use Aᵀ.</param>
    /// <param name="transB">Use Bᵀ (e.g. a weight stored [out × in]).</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Inner dimension.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A's values.</param>
    /// <param name="lda">Row stride of A as stored.</param>
    /// <param name="b">B's values.</param>
    /// <param name="ldb">Row stride of B as stored.</param>
    /// <param name="beta">Scale of C's previous contents (0: overwrite, 1: accumulate).</param>
    /// <param name="c">C's values.</param>
    /// <param name="ldc">Row stride of C.</param>
    /// <param name="parallel">Allow threads (callers that already run in parallel pass false).</param>
    /// <param name="bias">Optional row vector of length <paramref name="n"/> added to every row of C (a linear layer's bias),
    /// fused into the store of the product: <c>C = alpha·op(A)·op(B) + beta·C + 1·biasᵀ</c>.</param>
    /// <param name="activation">Optional activation applied to the finished C, tile by tile while it is still in cache
    /// (<c>C = act(…)</c>): the feed-forward layer's GELU without a separate pass over memory.</param>
    public static void Gemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, bool parallel = true,
        ReadOnlySpan<float> bias = default, ActivationKind? activation = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (m == 0 || n == 0) return;
        Check(c.Length, m, n, ldc, nameof(c));
        if (!bias.IsEmpty && bias.Length < n) throw new ArgumentException($"Bias has {bias.Length} values, expected {n}.", nameof(bias));
        if (k == 0 || alpha == 0f)
        {
            for (int i = 0; i < m; i++)
            {
                var row = c.Slice(i * ldc, n);
                if (beta == 0f) row.Clear(); else if (beta != 1f) for (int j = 0; j < n; j++) row[j] *= beta;
                if (!bias.IsEmpty) for (int j = 0; j < n; j++) row[j] += bias[j];
                if (activation is { } act) Activation.Forward(act, row, row);
            }
            return;
        }
        if (transA) Check(a.Length, k, m, lda, nameof(a)); else Check(a.Length, m, k, lda, nameof(a));
        if (transB) Check(b.Length, n, k, ldb, nameof(b)); else Check(b.Length, k, n, ldb, nameof(b));

        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            var job = new Job
            {
                A = pa, B = pb, C = pc, Bias = bias.IsEmpty ? null : pbias, Act = activation, TransA = transA, TransB = transB, M = m, N = n, K = k,
                Alpha = alpha, Beta = beta, Lda = lda, Ldb = ldb, Ldc = ldc,
                Simd = IsAccelerated, Wide = IsAvx512,
            };
            int threads = parallel && 2L * m * n * k >= ParallelFlops ? Math.Max(1, MaxThreads) : 1;
            Run(ref job, threads);
        }
    }

    static void Check(int length, int rows, int cols, int ld, string name)
    {
        if (ld < cols) throw new ArgumentException($"Row stride {ld} is smaller than the row length {cols}.", name);
        if ((long)(rows - 1) * ld + cols > length)
            throw new ArgumentException($"Span of {length} values is too short for {rows}×{cols} with stride {ld}.", name);
    }

    struct Job
    {
        public float* A, B, C, Bias;
        public ActivationKind? Act;
        /// <summary>Whether this K block is the last one (then <see cref="Act"/> is applied).</summary>
        public bool LastBlock;
        public bool TransA, TransB, Simd, Wide;
        public int M, N, K, Lda, Ldb, Ldc;
        public float Alpha, Beta;
        // Current block.
        public int Jc, Nc, Pc, Kc;
        public float BlockBeta;
        /// <summary>The bias to add in this K block (the first one), or null.</summary>
        public float* BlockBias;
        public float* BPack;
        /// <summary>A whole B packed in advance (<see cref="PackWeight"/>), or null to pack per block.</summary>
        public float* Prepacked;
        public int MBlocks, JChunks, PanelsPerChunk, Mc, KcBlock;
    }

    /// <summary>The K block size for an inner dimension of <paramref name="k"/>: even blocks, multiples of 8, at most KC.</summary>
    static int KBlock(int k)
    {
        int kBlocks = (k + KC - 1) / KC;
        return Math.Min(KC, ((k + kBlocks - 1) / kBlocks + 7) / 8 * 8);
    }

    /// <summary>Floats a packed [n × k] weight occupies (every block's panels, zero padded to 16 columns).</summary>
    internal static long PackedLength(int n, int k)
    {
        int kcBlock = KBlock(k);
        long total = 0;
        for (int jc = 0; jc < n; jc += NC)
        {
            int nPanels = (Math.Min(NC, n - jc) + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += kcBlock) total += (long)nPanels * NR * Math.Min(kcBlock, k - pc);
        }
        return total;
    }

    /// <summary>
    /// Packs a weight stored [n × k] (a linear layer's [out × in]) once into the panel layout the kernels read, so that
    /// <see cref="Gemm(int, ReadOnlySpan{float}, int, PackedWeight, float, Span{float}, int, bool, ReadOnlySpan{float}, ActivationKind?)"/>
    /// skips packing it on every call (inference with fixed weights).
    /// </summary>
    public static PackedWeight PackWeight(ReadOnlySpan<float> weight, int n, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        Check(weight.Length, n, k, k, nameof(weight));
        var data = new float[PackedLength(n, k)];
        fixed (float* pb = weight, pd = data)
        {
            var job = new Job { B = pb, TransB = true, N = n, K = k, Ldb = k, Simd = IsAccelerated, Wide = IsAvx512, KcBlock = KBlock(k) };
            long offset = 0;
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc);
                int nPanels = (nc + NR - 1) / NR;
                for (int pc = 0; pc < k; pc += job.KcBlock)
                {
                    int kc = Math.Min(job.KcBlock, k - pc);
                    job.Jc = jc; job.Nc = nc; job.Pc = pc; job.Kc = kc;
                    job.BPack = pd + offset;
                    PackB(ref job, 0, nPanels);
                    offset += (long)nPanels * NR * kc;
                }
            }
        }
        return new PackedWeight(data, n, k);
    }

    /// <summary>
    /// <c>C[m×n] = act(A·Wᵀ + beta·C + bias)</c> with a weight packed by <see cref="PackWeight"/>; A is [m × k]
    /// with row stride <paramref name="lda"/>. Same results as the unpacked <see cref="Gemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int, bool, ReadOnlySpan{float}, ActivationKind?)"/>
    /// with transB.
    /// </summary>
    public static void Gemm(int m, ReadOnlySpan<float> a, int lda, PackedWeight weight, float beta, Span<float> c, int ldc,
        bool parallel = true, ReadOnlySpan<float> bias = default, ActivationKind? activation = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        int n = weight.N, k = weight.K;
        if (m == 0) return;
        Check(c.Length, m, n, ldc, nameof(c));
        Check(a.Length, m, k, lda, nameof(a));
        if (!bias.IsEmpty && bias.Length < n) throw new ArgumentException($"Bias has {bias.Length} values, expected {n}.", nameof(bias));
        fixed (float* pa = a, pc = c, pbias = bias, pw = weight.Data)
        {
            var job = new Job
            {
                A = pa, C = pc, Bias = bias.IsEmpty ? null : pbias, Act = activation, TransB = true, M = m, N = n, K = k,
                Alpha = 1f, Beta = beta, Lda = lda, Ldb = k, Ldc = ldc, Simd = IsAccelerated, Wide = IsAvx512, Prepacked = pw,
            };
            int threads = parallel && 2L * m * n * k >= ParallelFlops ? Math.Max(1, MaxThreads) : 1;
            Run(ref job, threads);
        }
    }

    static void Run(ref Job job, int threads)
    {
        int nPanelsMax = (Math.Min(NC, job.N) + NR - 1) / NR;
        int bSize = job.Prepacked is null ? nPanelsMax * NR * KC : 0;
        float[]? rented = null;
        float[] bArr;
        if (threads > 1) bArr = rented = ArrayPool<float>.Shared.Rent(bSize);
        else
        {
            bArr = t_bPack is { } tb && tb.Length >= bSize ? tb : (t_bPack = new float[Math.Max(bSize, NR * KC * 64)]);
        }
        try
        {
            fixed (float* bp = bArr)
            {
                job.BPack = bp;
                // Even blocks: e.g. M = 384 → 4 × 96 rather than 3 × 120 + 24; K = 384 → 2 × 192.
                int mBlocks = (job.M + MC - 1) / MC;
                int unit = job.Wide ? 2 * MR : MR; // the 512-bit kernel takes 12 rows at a time
                job.Mc = Math.Min(MC, ((job.M + mBlocks - 1) / mBlocks + unit - 1) / unit * unit);
                job.KcBlock = KBlock(job.K);
                long packedOffset = 0;
                for (int jc = 0; jc < job.N; jc += NC)
                {
                    int nc = Math.Min(NC, job.N - jc);
                    int nPanels = (nc + NR - 1) / NR;
                    for (int pc = 0; pc < job.K; pc += job.KcBlock)
                    {
                        int kc = Math.Min(job.KcBlock, job.K - pc);
                        job.Jc = jc; job.Nc = nc; job.Pc = pc; job.Kc = kc;
                        job.BlockBeta = pc == 0 ? job.Beta : 1f;
                        job.BlockBias = pc == 0 ? job.Bias : null;
                        job.LastBlock = pc + kc >= job.K;
                        job.MBlocks = (job.M + job.Mc - 1) / job.Mc;
                        if (job.Prepacked is not null)
                        {
                            // The block was packed once, in this same order, by PackWeight.
                            job.BPack = job.Prepacked + packedOffset;
                            packedOffset += (long)nPanels * NR * kc;
                        }
                        if (threads <= 1)
                        {
                            if (job.Prepacked is null) PackB(ref job, 0, nPanels);
                            job.JChunks = 1; job.PanelsPerChunk = nPanels;
                            for (int ib = 0; ib < job.MBlocks; ib++) Compute(ref job, ib, 0);
                        }
                        else
                        {
                            var j = job;
                            int packChunks = Math.Min(threads * 2, nPanels);
                            if (job.Prepacked is null)
                                WorkerPool.For(packChunks, threads, t =>
                                {
                                    var jj = j;
                                    int p0 = (int)((long)nPanels * t / packChunks), p1 = (int)((long)nPanels * (t + 1) / packChunks);
                                    PackB(ref jj, p0, p1);
                                });
                            int want = threads * 8;
                            int jChunks = job.MBlocks >= want ? 1 : Math.Min(nPanels, (want + job.MBlocks - 1) / job.MBlocks);
                            job.JChunks = jChunks; job.PanelsPerChunk = (nPanels + jChunks - 1) / jChunks;
                            if (job.Wide && (job.PanelsPerChunk & 1) != 0 && job.PanelsPerChunk < nPanels)
                            {
                                // The 512-bit kernel takes panels in pairs: keep chunks even.
                                job.PanelsPerChunk++;
                                job.JChunks = (nPanels + job.PanelsPerChunk - 1) / job.PanelsPerChunk;
                            }
                            j = job;
                            int items = job.MBlocks * jChunks;
                            WorkerPool.For(items, threads, w =>
                            {
                                var jj = j;
                                Compute(ref jj, w / jChunks, w % jChunks);
                            });
                        }
                    }
                }
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Packs panels [p0, p1) of the current B block: each panel is kc rows of NR columns, zero padded.</summary>
    static void PackB(ref Job job, int p0, int p1)
    {
        int kc = job.Kc, nc = job.Nc;
        for (int panel = p0; panel < p1; panel++)
        {
            float* dst = job.BPack + (long)panel * NR * kc;
            int j0 = job.Jc + panel * NR;
            int nr = Math.Min(NR, nc - panel * NR);
            if (!job.TransB)
            {
                // B[k × n]: row p, columns j0..j0+nr.
                float* src = job.B + (long)job.Pc * job.Ldb + j0;
                if (nr == NR)
                {
                    for (int p = 0; p < kc; p++, src += job.Ldb, dst += NR)
                    {
                        if (job.Simd)
                        {
                            Avx.Store(dst, Avx.LoadVector256(src));
                            Avx.Store(dst + 8, Avx.LoadVector256(src + 8));
                        }
                        else for (int q = 0; q < NR; q++) dst[q] = src[q];
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += job.Ldb, dst += NR)
                    {
                        int q = 0;
                        for (; q < nr; q++) dst[q] = src[q];
                        for (; q < NR; q++) dst[q] = 0f;
                    }
                }
            }
            else if (nr == NR && job.Simd && (long)(NR - 1) * job.Ldb <= int.MaxValue)
            {
                // B stored [n × k] (a weight [out × in]): two 8-lane gathers per k give a packed row.
                float* src = job.B + (long)j0 * job.Ldb + job.Pc;
                var idx = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * Vector256.Create(job.Ldb);
                float* src8 = src + 8L * job.Ldb;
                for (int p = 0; p < kc; p++, dst += NR)
                {
                    Avx.Store(dst, Avx2.GatherVector256(src + p, idx, 4));
                    Avx.Store(dst + 8, Avx2.GatherVector256(src8 + p, idx, 4));
                }
            }
            else
            {
                // B stored [n × k]: column j of op(B) is row j of B.
                for (int q = 0; q < NR; q++)
                {
                    if (q < nr)
                    {
                        float* src = job.B + (long)(j0 + q) * job.Ldb + job.Pc;
                        for (int p = 0; p < kc; p++) dst[p * NR + q] = src[p];
                    }
                    else for (int p = 0; p < kc; p++) dst[p * NR + q] = 0f;
                }
            }
        }
    }

    /// <summary>Packs rows [i0, i0+mc) of the current A block, scaled by alpha: panels of MR rows × kc, zero padded.</summary>
    static void PackA(ref Job job, float* dst, int i0, int mc)
    {
        int kc = job.Kc;
        float alpha = job.Alpha;
        for (int r0 = 0; r0 < mc; r0 += MR)
        {
            int mr = Math.Min(MR, mc - r0);
            if (!job.TransA)
            {
                for (int r = 0; r < MR; r++)
                {
                    if (r < mr)
                    {
                        float* src = job.A + (long)(i0 + r0 + r) * job.Lda + job.Pc;
                        for (int p = 0; p < kc; p++) dst[p * MR + r] = alpha * src[p];
                    }
                    else for (int p = 0; p < kc; p++) dst[p * MR + r] = 0f;
                }
            }
            else if (mr == MR && job.Simd)
            {
                // A stored [k × m], a full panel: the 6 values of each k are contiguous; two overlapping 4-wide
                // loads and stores (lanes 0–3 and 2–5) copy them, scaled by alpha.
                float* src = job.A + (long)job.Pc * job.Lda + i0 + r0;
                var va = Vector128.Create(alpha);
                for (int p = 0; p < kc; p++, src += job.Lda)
                {
                    Sse.Store(dst + p * MR, Sse.Multiply(Sse.LoadVector128(src), va));
                    Sse.Store(dst + p * MR + 2, Sse.Multiply(Sse.LoadVector128(src + 2), va));
                }
            }
            else
            {
                // A stored [k × m]: op(A)[i, p] = A[p, i]; contiguous over i.
                float* src = job.A + (long)job.Pc * job.Lda + i0 + r0;
                for (int p = 0; p < kc; p++, src += job.Lda)
                {
                    int r = 0;
                    for (; r < mr; r++) dst[p * MR + r] = alpha * src[r];
                    for (; r < MR; r++) dst[p * MR + r] = 0f;
                }
            }
            dst += MR * kc;
        }
    }

    static void Compute(ref Job job, int mBlock, int jChunk)
    {
        int i0 = mBlock * job.Mc;
        int mc = Math.Min(job.Mc, job.M - i0);
        int kc = job.Kc;
        int aSize = MC * KC;
        var aArr = t_aPack ??= new float[aSize];
        int nPanels = (job.Nc + NR - 1) / NR;
        int pStart = jChunk * job.PanelsPerChunk, pEnd = Math.Min(nPanels, pStart + job.PanelsPerChunk);
        if (pStart >= pEnd) return;
        fixed (float* ap = aArr)
        {
            float* tile = stackalloc float[4 * MR * NR];
            int panel = pStart;
            // Unscaled, untransposed A with the 512-bit kernel: full 12-row groups read A in place (no packing) and
            // store straight into C; only the last rows (< 12) are packed for the 6-row kernels below.
            int direct = job.Wide && !job.TransA && job.Alpha == 1f ? mc / (2 * MR) * (2 * MR) : 0;
            if (direct > 0)
            {
                if (direct < mc) PackA(ref job, ap + (long)direct * kc, i0 + direct, mc - direct);
                ComputeDirect(ref job, i0, direct, pStart, pEnd, tile);
            }
            else PackA(ref job, ap, i0, mc);
            if (job.Wide)
            {
                // Pairs of B panels (32 columns) × pairs of A panels (12 rows) in one 512-bit kernel call.
                for (; panel + 1 < pEnd; panel += 2)
                {
                    float* bp = job.BPack + (long)panel * NR * kc;
                    int j = job.Jc + panel * NR;
                    int nr1 = Math.Min(NR, job.Nc - (panel + 1) * NR);
                    int r0 = direct;
                    for (; r0 + MR < mc; r0 += 2 * MR)
                    {
                        int mr1 = Math.Min(MR, mc - r0 - MR);
                        float* cp = job.C + (long)(i0 + r0) * job.Ldc + j;
                        float* bias = job.BlockBias is null ? null : job.BlockBias + j;
                        KernelAvx512(kc, ap + (long)r0 * kc, bp, tile);
                        Store(tile, cp, job.Ldc, MR, NR, job.BlockBeta, true, bias);
                        Store(tile + MR * NR, cp + NR, job.Ldc, MR, nr1, job.BlockBeta, true, bias is null ? null : bias + NR);
                        Store(tile + 2 * MR * NR, cp + (long)MR * job.Ldc, job.Ldc, mr1, NR, job.BlockBeta, true, bias);
                        Store(tile + 3 * MR * NR, cp + (long)MR * job.Ldc + NR, job.Ldc, mr1, nr1, job.BlockBeta, true, bias is null ? null : bias + NR);
                    }
                    for (; r0 < mc; r0 += MR)
                    {
                        int mr = Math.Min(MR, mc - r0);
                        float* cp = job.C + (long)(i0 + r0) * job.Ldc + j;
                        float* bias = job.BlockBias is null ? null : job.BlockBias + j;
                        KernelAvx512Half(kc, ap + (long)r0 * kc, bp, tile);
                        Store(tile, cp, job.Ldc, mr, NR, job.BlockBeta, true, bias);
                        Store(tile + MR * NR, cp + NR, job.Ldc, mr, nr1, job.BlockBeta, true, bias is null ? null : bias + NR);
                    }
                }
            }
            for (; panel < pEnd; panel++)
            {
                float* bp = job.BPack + (long)panel * NR * kc;
                int j = job.Jc + panel * NR;
                int nr = Math.Min(NR, job.Nc - panel * NR);
                float* bias = job.BlockBias is null ? null : job.BlockBias + j;
                for (int r0 = direct; r0 < mc; r0 += MR)
                {
                    int mr = Math.Min(MR, mc - r0);
                    float* cp = job.C + (long)(i0 + r0) * job.Ldc + j;
                    float* apanel = ap + (long)r0 * kc;
                    if (job.Simd) KernelAvx(kc, apanel, bp, tile);
                    else KernelPortable(kc, apanel, bp, tile);
                    Store(tile, cp, job.Ldc, mr, nr, job.BlockBeta, job.Simd, bias);
                }
            }
        }
        if (job.Act is { } act && job.LastBlock)
        {
            // This item's tile of C is finished and still in cache: apply the activation now, not in a later pass.
            int j0 = job.Jc + pStart * NR, j1 = Math.Min(job.Jc + job.Nc, job.Jc + pEnd * NR);
            for (int r = 0; r < mc; r++)
            {
                var row = new Span<float>(job.C + (long)(i0 + r) * job.Ldc + j0, j1 - j0);
                Activation.Forward(act, row, row);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(float* tile, float* c, int ldc, int mr, int nr, float beta, bool simd, float* bias = null)
    {
        if (simd && nr == NR)
        {
            var z0 = bias is null ? Vector256<float>.Zero : Avx.LoadVector256(bias);
            var z1 = bias is null ? Vector256<float>.Zero : Avx.LoadVector256(bias + 8);
            for (int r = 0; r < mr; r++, c += ldc, tile += NR)
            {
                var t0 = Avx.Add(Avx.LoadVector256(tile), z0); var t1 = Avx.Add(Avx.LoadVector256(tile + 8), z1);
                if (beta == 0f) { Avx.Store(c, t0); Avx.Store(c + 8, t1); }
                else if (beta == 1f)
                {
                    Avx.Store(c, Avx.Add(t0, Avx.LoadVector256(c)));
                    Avx.Store(c + 8, Avx.Add(t1, Avx.LoadVector256(c + 8)));
                }
                else
                {
                    var bv = Vector256.Create(beta);
                    Avx.Store(c, Fma.MultiplyAdd(bv, Avx.LoadVector256(c), t0));
                    Avx.Store(c + 8, Fma.MultiplyAdd(bv, Avx.LoadVector256(c + 8), t1));
                }
            }
            return;
        }
        StoreStrided(tile, NR, c, ldc, mr, nr, beta, bias);
    }

    /// <summary>6×16 tile of packed A (kc × 6) times packed B (kc × 16), written to <paramref name="tile"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void KernelAvx(int kc, float* a, float* b, float* tile)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++, a += MR, b += NR)
        {
            var b0 = Avx.LoadVector256(b);
            var b1 = Avx.LoadVector256(b + 8);
            var x = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(x, b0, c20); c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(x, b0, c30); c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(x, b0, c40); c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(x, b0, c50); c51 = Fma.MultiplyAdd(x, b1, c51);
        }
        Avx.Store(tile, c00); Avx.Store(tile + 8, c01);
        Avx.Store(tile + 16, c10); Avx.Store(tile + 24, c11);
        Avx.Store(tile + 32, c20); Avx.Store(tile + 40, c21);
        Avx.Store(tile + 48, c30); Avx.Store(tile + 56, c31);
        Avx.Store(tile + 64, c40); Avx.Store(tile + 72, c41);
        Avx.Store(tile + 80, c50); Avx.Store(tile + 88, c51);
    }

    /// <summary>
    /// 12×32 tile: two packed A panels (each kc × 6, consecutive) times two packed B panels (each kc × 16,
    /// consecutive), 24 zmm accumulators. Written to <paramref name="tile"/> as four 6×16 tiles:
    /// (A0,B0), (A0,B1), (A1,B0), (A1,B1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void KernelAvx512(int kc, float* a, float* b, float* tile)
    {
        float* a1 = a + MR * kc;
        float* b1p = b + NR * kc;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default,
            c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default,
            c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (int p = 0; p < kc; p++, a += MR, a1 += MR, b += NR, b1p += NR)
        {
            var b0 = Avx512F.LoadVector512(b);
            var b1 = Avx512F.LoadVector512(b1p);
            var x = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a1[0]);
            c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a1[1]);
            c70 = Avx512F.FusedMultiplyAdd(x, b0, c70); c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
            x = Vector512.Create(a1[2]);
            c80 = Avx512F.FusedMultiplyAdd(x, b0, c80); c81 = Avx512F.FusedMultiplyAdd(x, b1, c81);
            x = Vector512.Create(a1[3]);
            c90 = Avx512F.FusedMultiplyAdd(x, b0, c90); c91 = Avx512F.FusedMultiplyAdd(x, b1, c91);
            x = Vector512.Create(a1[4]);
            ca0 = Avx512F.FusedMultiplyAdd(x, b0, ca0); ca1 = Avx512F.FusedMultiplyAdd(x, b1, ca1);
            x = Vector512.Create(a1[5]);
            cb0 = Avx512F.FusedMultiplyAdd(x, b0, cb0); cb1 = Avx512F.FusedMultiplyAdd(x, b1, cb1);
        }
        float* t1 = tile + MR * NR, t2 = tile + 2 * MR * NR, t3 = tile + 3 * MR * NR;
        Avx512F.Store(tile, c00); Avx512F.Store(tile + 16, c10); Avx512F.Store(tile + 32, c20);
        Avx512F.Store(tile + 48, c30); Avx512F.Store(tile + 64, c40); Avx512F.Store(tile + 80, c50);
        Avx512F.Store(t1, c01); Avx512F.Store(t1 + 16, c11); Avx512F.Store(t1 + 32, c21);
        Avx512F.Store(t1 + 48, c31); Avx512F.Store(t1 + 64, c41); Avx512F.Store(t1 + 80, c51);
        Avx512F.Store(t2, c60); Avx512F.Store(t2 + 16, c70); Avx512F.Store(t2 + 32, c80);
        Avx512F.Store(t2 + 48, c90); Avx512F.Store(t2 + 64, ca0); Avx512F.Store(t2 + 80, cb0);
        Avx512F.Store(t3, c61); Avx512F.Store(t3 + 16, c71); Avx512F.Store(t3 + 32, c81);
        Avx512F.Store(t3 + 48, c91); Avx512F.Store(t3 + 64, ca1); Avx512F.Store(t3 + 80, cb1);
    }

    /// <summary>6×32 tile: one packed A panel times two packed B panels; written as tiles (A,B0), (A,B1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void KernelAvx512Half(int kc, float* a, float* b, float* tile)
    {
        float* b1p = b + NR * kc;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++, a += MR, b += NR, b1p += NR)
        {
            var b0 = Avx512F.LoadVector512(b);
            var b1 = Avx512F.LoadVector512(b1p);
            var x = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
        }
        float* t1 = tile + MR * NR;
        Avx512F.Store(tile, c00); Avx512F.Store(tile + 16, c10); Avx512F.Store(tile + 32, c20);
        Avx512F.Store(tile + 48, c30); Avx512F.Store(tile + 64, c40); Avx512F.Store(tile + 80, c50);
        Avx512F.Store(t1, c01); Avx512F.Store(t1 + 16, c11); Avx512F.Store(t1 + 32, c21);
        Avx512F.Store(t1 + 48, c31); Avx512F.Store(t1 + 64, c41); Avx512F.Store(t1 + 80, c51);
    }

    /// <summary>
    /// Rows [i0, i0+rows) of C (rows a multiple of 12) for B panels [pStart, pEnd), reading A in place with its row
    /// stride; full 16-column panels are stored straight into C (with beta and bias), a partial last panel via a tile.
    /// </summary>
    static void ComputeDirect(ref Job job, int i0, int rows, int pStart, int pEnd, float* tile)
    {
        int kc = job.Kc;
        long lda = job.Lda;
        // Panels outer (BLIS order): one B micro-panel pair is reused by every 12-row group of the block.
        for (int panel = pStart; panel < pEnd; panel += 2)
        {
            bool pair = panel + 1 < pEnd;
            float* bp = job.BPack + (long)panel * NR * kc;
            int j = job.Jc + panel * NR;
            int nr0 = Math.Min(NR, job.Nc - panel * NR);
            int nr1 = pair ? Math.Min(NR, job.Nc - (panel + 1) * NR) : 0;
            float* bias = job.BlockBias is null ? null : job.BlockBias + j;
            for (int r0 = 0; r0 < rows; r0 += 2 * MR)
            {
                float* a = job.A + (i0 + r0) * lda + job.Pc;
                float* cp = job.C + (long)(i0 + r0) * job.Ldc + j;
                if (pair)
                {
                    if (nr1 == NR) KernelDirect32(kc, a, lda, bp, cp, job.Ldc, job.BlockBeta, bias);
                    else
                    {
                        KernelDirect32(kc, a, lda, bp, tile, 2 * NR, 0f, null);
                        for (int h = 0; h < 2; h++)
                        {
                            float* t = tile + h * MR * 2 * NR;
                            float* ch = cp + (long)h * MR * job.Ldc;
                            StoreStrided(t, 2 * NR, ch, job.Ldc, MR, NR, job.BlockBeta, bias);
                            StoreStrided(t + NR, 2 * NR, ch + NR, job.Ldc, MR, nr1, job.BlockBeta, bias is null ? null : bias + NR);
                        }
                    }
                }
                else if (nr0 == NR) KernelDirect16(kc, a, lda, bp, cp, job.Ldc, job.BlockBeta, bias);
                else
                {
                    KernelDirect16(kc, a, lda, bp, tile, NR, 0f, null);
                    StoreStrided(tile, NR, cp, job.Ldc, 2 * MR, nr0, job.BlockBeta, bias);
                }
            }
        }
    }

    /// <summary>Adds an [mr × nr] tile (row stride <paramref name="ldt"/>) into C with beta and bias (edge tiles and the
    /// portable path; the bias is added to the tile first, as the SIMD stores do).</summary>
    static void StoreStrided(float* tile, int ldt, float* c, int ldc, int mr, int nr, float beta, float* bias)
    {
        for (int r = 0; r < mr; r++, c += ldc, tile += ldt)
            for (int q = 0; q < nr; q++)
            {
                float v = tile[q] + (bias is null ? 0f : bias[q]);
                c[q] = beta == 0f ? v : beta == 1f ? c[q] + v : beta * c[q] + v;
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Put(float* c, Vector512<float> acc, float beta, Vector512<float> bias)
    {
        acc = Avx512F.Add(acc, bias);
        if (beta == 0f) Avx512F.Store(c, acc);
        else if (beta == 1f) Avx512F.Store(c, Avx512F.Add(acc, Avx512F.LoadVector512(c)));
        else Avx512F.Store(c, Avx512F.FusedMultiplyAdd(Vector512.Create(beta), Avx512F.LoadVector512(c), acc));
    }

    /// <summary>
    /// 12×32 tile: 12 rows of A read in place (row stride <paramref name="lda"/>) times two packed B panels, stored
    /// into C (row stride <paramref name="ldc"/>) as <c>C = acc + beta·C + bias</c>. 24 zmm accumulators.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void KernelDirect32(int kc, float* a, long lda, float* b, float* c, int ldc, float beta, float* bias)
    {
        float* b1p = b + NR * kc;
        float* a0 = a, a3 = a + 3 * lda, a6 = a + 6 * lda, a9 = a + 9 * lda;
        long lda2 = 2 * lda;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default,
            c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default,
            c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (int p = 0; p < kc; p++, a0++, a3++, a6++, a9++, b += NR, b1p += NR)
        {
            var b0 = Avx512F.LoadVector512(b);
            var b1 = Avx512F.LoadVector512(b1p);
            var x = Vector512.Create(*a0);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a0[lda]);
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a0[lda2]);
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(*a3);
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a3[lda]);
            c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a3[lda2]);
            c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(*a6);
            c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a6[lda]);
            c70 = Avx512F.FusedMultiplyAdd(x, b0, c70); c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
            x = Vector512.Create(a6[lda2]);
            c80 = Avx512F.FusedMultiplyAdd(x, b0, c80); c81 = Avx512F.FusedMultiplyAdd(x, b1, c81);
            x = Vector512.Create(*a9);
            c90 = Avx512F.FusedMultiplyAdd(x, b0, c90); c91 = Avx512F.FusedMultiplyAdd(x, b1, c91);
            x = Vector512.Create(a9[lda]);
            ca0 = Avx512F.FusedMultiplyAdd(x, b0, ca0); ca1 = Avx512F.FusedMultiplyAdd(x, b1, ca1);
            x = Vector512.Create(a9[lda2]);
            cb0 = Avx512F.FusedMultiplyAdd(x, b0, cb0); cb1 = Avx512F.FusedMultiplyAdd(x, b1, cb1);
        }
        var z0 = bias is null ? Vector512<float>.Zero : Avx512F.LoadVector512(bias);
        var z1 = bias is null ? Vector512<float>.Zero : Avx512F.LoadVector512(bias + NR);
        Put(c, c00, beta, z0); Put(c + NR, c01, beta, z1); c += ldc;
        Put(c, c10, beta, z0); Put(c + NR, c11, beta, z1); c += ldc;
        Put(c, c20, beta, z0); Put(c + NR, c21, beta, z1); c += ldc;
        Put(c, c30, beta, z0); Put(c + NR, c31, beta, z1); c += ldc;
        Put(c, c40, beta, z0); Put(c + NR, c41, beta, z1); c += ldc;
        Put(c, c50, beta, z0); Put(c + NR, c51, beta, z1); c += ldc;
        Put(c, c60, beta, z0); Put(c + NR, c61, beta, z1); c += ldc;
        Put(c, c70, beta, z0); Put(c + NR, c71, beta, z1); c += ldc;
        Put(c, c80, beta, z0); Put(c + NR, c81, beta, z1); c += ldc;
        Put(c, c90, beta, z0); Put(c + NR, c91, beta, z1); c += ldc;
        Put(c, ca0, beta, z0); Put(c + NR, ca1, beta, z1); c += ldc;
        Put(c, cb0, beta, z0); Put(c + NR, cb1, beta, z1);
    }

    /// <summary>12×16 tile: as <see cref="KernelDirect32"/> with one packed B panel (the odd last panel).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void KernelDirect16(int kc, float* a, long lda, float* b, float* c, int ldc, float beta, float* bias)
    {
        float* a0 = a, a3 = a + 3 * lda, a6 = a + 6 * lda, a9 = a + 9 * lda;
        long lda2 = 2 * lda;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default,
            c6 = default, c7 = default, c8 = default, c9 = default, ca = default, cb = default;
        for (int p = 0; p < kc; p++, a0++, a3++, a6++, a9++, b += NR)
        {
            var b0 = Avx512F.LoadVector512(b);
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(*a0), b0, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[lda]), b0, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[lda2]), b0, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(*a3), b0, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[lda]), b0, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[lda2]), b0, c5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(*a6), b0, c6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[lda]), b0, c7);
            c8 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[lda2]), b0, c8);
            c9 = Avx512F.FusedMultiplyAdd(Vector512.Create(*a9), b0, c9);
            ca = Avx512F.FusedMultiplyAdd(Vector512.Create(a9[lda]), b0, ca);
            cb = Avx512F.FusedMultiplyAdd(Vector512.Create(a9[lda2]), b0, cb);
        }
        var z = bias is null ? Vector512<float>.Zero : Avx512F.LoadVector512(bias);
        Put(c, c0, beta, z); c += ldc; Put(c, c1, beta, z); c += ldc; Put(c, c2, beta, z); c += ldc;
        Put(c, c3, beta, z); c += ldc; Put(c, c4, beta, z); c += ldc; Put(c, c5, beta, z); c += ldc;
        Put(c, c6, beta, z); c += ldc; Put(c, c7, beta, z); c += ldc; Put(c, c8, beta, z); c += ldc;
        Put(c, c9, beta, z); c += ldc; Put(c, ca, beta, z); c += ldc; Put(c, cb, beta, z);
    }

    /// <summary>Portable version of <see cref="KernelAvx"/>.</summary>
    static void KernelPortable(int kc, float* a, float* b, float* tile)
    {
        for (int i = 0; i < MR * NR; i++) tile[i] = 0f;
        for (int p = 0; p < kc; p++, a += MR, b += NR)
        {
            for (int r = 0; r < MR; r++)
            {
                float x = a[r];
                float* t = tile + r * NR;
                for (int q = 0; q < NR; q++) t[q] += x * b[q];
            }
        }
    }
}
