namespace MLNet.Embeddings.Kernels;

/// <summary>Feed-forward activation (config.json <c>hidden_act</c>).</summary>
public enum ActivationKind
{
    /// <summary><c>gelu</c>: exact GELU, x·Φ(x) with erf (torch's default).</summary>
    Gelu,
    /// <summary><c>gelu_new</c> / <c>gelu_pytorch_tanh</c>: the tanh approximation.</summary>
    GeluTanh,
    /// <summary><c>relu</c>.</summary>
    Relu,
}
