namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>ORT's graph optimisation level (<c>GraphOptimizationLevel</c>).</summary>
public enum OrtGraphOptimization
{
    /// <summary>No optimisation.</summary>
    None = 0,
    /// <summary>Constant folding and redundant-node removal.</summary>
    Basic = 1,
    /// <summary>Basic plus node fusions (attention, GELU, LayerNorm, quantised MatMul …).</summary>
    Extended = 2,
    /// <summary>Extended plus layout optimisations.</summary>
    Layout = 3,
    /// <summary>Everything (ORT's default).</summary>
    All = 99,
}
