namespace MLNet.Embeddings.Tensors;

/// <summary>
/// One trainable tensor, stored flat, named exactly as in the Hugging Face checkpoint
/// (e.g. <c>encoder.layer.0.attention.self.query.weight</c>) so safetensors load and save without mapping.
/// </summary>
public sealed class Parameter
{
    /// <summary>Creates a parameter over <paramref name="value"/> (not copied).</summary>
    public Parameter(string name, int[] shape, float[] value)
    {
        long n = 1; foreach (var d in shape) n *= d;
        if (n != value.Length) throw new ArgumentException($"Parameter '{name}': shape [{string.Join(",", shape)}] needs {n} values, found {value.Length}.");
        Name = name; Shape = shape; Value = value;
    }

    /// <summary>Hugging Face name.</summary>
    public string Name { get; }
    /// <summary>Shape, outermost first (PyTorch order).</summary>
    public int[] Shape { get; }
    /// <summary>The values.</summary>
    public float[] Value { get; }

    int _version;
    /// <summary>
    /// Bumped by <see cref="MarkChanged"/>. Caches derived from <see cref="Value"/> (the inference forward keeps its
    /// weights packed for the GEMM kernels) compare it to know when to rebuild.
    /// </summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>
    /// Call after writing <see cref="Value"/> in place (the optimiser, checkpoint restore and best-model restore do):
    /// the next inference forward then repacks this weight instead of using a stale packed copy.
    /// </summary>
    public void MarkChanged() => Interlocked.Increment(ref _version);

    float[]? _grad;
    /// <summary>Accumulated gradient, same length as <see cref="Value"/>; allocated on first use.</summary>
    public float[] Grad => _grad ??= new float[Value.Length];
    /// <summary>Whether a gradient buffer exists.</summary>
    public bool HasGrad => _grad is not null;

    /// <summary>
    /// For embedding tables updated sparsely: the rows touched since the last optimiser step
    /// (null for dense parameters). The optimiser updates only these rows and clears the set.
    /// </summary>
    public HashSet<int>? TouchedRows { get; set; }

    /// <summary>
    /// True for biases and normalisation weights, which AdamW does not decay (the Hugging Face Trainer's rule: names
    /// with bias, LayerNorm, layer_norm, layernorm, a <c>norm</c> or <c>*_norm</c> module).
    /// </summary>
    public bool NoWeightDecay => Name.EndsWith(".bias", StringComparison.Ordinal)
        || Name.Contains("LayerNorm", StringComparison.Ordinal) || Name.Contains("layer_norm", StringComparison.Ordinal)
        || Name.Contains("layernorm", StringComparison.Ordinal) || Name.Contains("_norm.", StringComparison.Ordinal)
        || Name.StartsWith("norm.", StringComparison.Ordinal) || Name.Contains(".norm.", StringComparison.Ordinal);

    /// <summary>Zeros the gradient.</summary>
    public void ZeroGrad() { if (_grad is not null) Array.Clear(_grad); }
}
