using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Tensors;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;

namespace MLNet.Embeddings.Training;

/// <summary>
/// Forward, loss and backward of one batch on an engine; accumulates parameter gradients. Each column is embedded in
/// chunks (a <see cref="IChunkedLoss"/> sets their size, GradCache): the first pass keeps only embeddings, the loss
/// gradient is computed once, then each chunk is re-run with the same dropout seed and back-propagated.
/// </summary>
internal sealed class BatchPass(SentenceEncoder model, ILoss loss, ITrainingPooling pooling, int maxLength)
{
    /// <summary>The objective this pass computes.</summary>
    public ILoss Loss => loss;

    /// <summary>
    /// Runs the rows <paramref name="batch"/> of <paramref name="rows"/>; gradients are scaled by <paramref name="gradScale"/>;
    /// returns the loss (not finite: nothing was back-propagated).
    /// </summary>
    public float Run(ITrainingEngine engine, ColumnPlan plan, IReadOnlyList<TrainingExample> rows, int[] batch, ulong seed, float gradScale)
    {
        var input = plan.Build(rows, batch);
        int nc = input.Texts.Count, b = batch.Length;
        int chunk = loss is IChunkedLoss c ? c.MiniBatchSize : b;
        bool cached = chunk < b;
        var columns = new Matrix[nc];
        var tokenBatches = new List<TokenBatch>[nc];
        var kept = new List<BackboneActivations>?[nc];
        var skips = PoolingSkips(input, b);
        for (int col = 0; col < nc; col++)
        {
            tokenBatches[col] = new(); kept[col] = cached ? null : new();
            for (int s = 0, ci = 0; s < b; s += chunk, ci++)
            {
                int n = Math.Min(chunk, b - s);
                var texts = new List<Tokenization.TokenizedText>(n);
                for (int r = 0; r < n; r++) texts.Add(model.Tokenize(input.Texts[col][s + r], null, maxLength));
                var tb = TokenBatch.From(texts);
                tokenBatches[col].Add(tb);
                var act = engine.Forward(tb, ChunkSeed(seed, col, ci), keepGraph: !cached);
                var pooled = pooling.Forward(tb, act.Output, Slice(skips[col], s, n));
                columns[col] ??= new Matrix(b, pooled.Cols);
                pooled.Data.CopyTo(columns[col].Data, s * pooled.Cols);
                // GradCache keeps only the embeddings: the chunk's activations go back to the backbone's arena now.
                if (kept[col] is { } k) k.Add(act); else engine.Release(act);
            }
        }
        var result = loss.Compute(new LossInput { Columns = columns, Labels = input.Labels, TeacherScores = input.Teacher, TextIds = input.TextIds });
        if (!float.IsFinite(result.Loss))
        {
            foreach (var k in kept) if (k is not null) foreach (var a in k) engine.Release(a);
            return result.Loss;
        }
        for (int col = 0; col < nc; col++)
        {
            int dim = columns[col].Cols;
            for (int s = 0, ci = 0; s < b; s += chunk, ci++)
            {
                int n = Math.Min(chunk, b - s);
                var tb = tokenBatches[col][ci];
                var act = kept[col]?[ci] ?? engine.Forward(tb, ChunkSeed(seed, col, ci), keepGraph: true);
                var slice = new Matrix(n, dim);
                result.Gradients[col].Data.AsSpan(s * dim, n * dim).CopyTo(slice.Data);
                if (gradScale != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(slice.Data, gradScale, slice.Data);
                var dTokens = pooling.Backward(tb, act.Output, slice, Slice(skips[col], s, n));
                engine.Backward(act, dTokens);
                engine.Release(act);
            }
        }
        return result.Loss;
    }

    static ReadOnlySpan<int> Slice(int[]? skip, int start, int count) => skip is null ? default : skip.AsSpan(start, count);

    /// <summary>
    /// Per column, how many leading tokens pooling leaves out of each row: the prompt's tokens when the model has
    /// include_prompt=false (<see cref="SentenceEncoder.PoolingSkip"/>, as Encode does); null where nothing is skipped.
    /// </summary>
    int[]?[] PoolingSkips(ColumnBatch input, int b)
    {
        var skips = new int[]?[input.Texts.Count];
        if (model.Config.PoolingIncludePrompt || input.Prompts is null) return skips;
        var known = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int col = 0; col < skips.Length; col++)
        {
            if (col >= input.Prompts.Count || input.Prompts[col] is not { } prompts) continue;
            var skip = new int[b];
            for (int r = 0; r < b; r++)
                if (prompts[r] is { } p)
                    skip[r] = known.TryGetValue(p, out int k) ? k : known[p] = model.PoolingSkip(p, maxLength);
            if (skip.Any(v => v > 0)) skips[col] = skip;
        }
        return skips;
    }

    /// <summary>The dropout seed of micro-batch <paramref name="micro"/> of optimiser step <paramref name="step"/>.</summary>
    public static ulong StepSeed(int seed, int step, int micro) => SplitMix((ulong)(uint)seed << 32 ^ (ulong)step * 64 ^ (ulong)micro);

    static ulong ChunkSeed(ulong seed, int column, int chunk) => SplitMix(seed ^ SplitMix((ulong)column << 20 | (uint)chunk));

    static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
