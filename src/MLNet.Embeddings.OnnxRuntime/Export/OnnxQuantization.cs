namespace MLNet.Embeddings.OnnxRuntime.Export;

/// <summary>Weight precision of an exported model.</summary>
public enum OnnxQuantization
{
    /// <summary>Float32 weights.</summary>
    None,
    /// <summary>
    /// Dynamic int8 quantisation of the encoder's MatMul weights: activations are quantised per call
    /// (DynamicQuantizeLinear, uint8) and multiplied with int8 weights (MatMulInteger), then rescaled; ORT fuses the
    /// pattern into DynamicQuantizeMatMul. Embeddings, LayerNorm and pooling stay float32.
    /// </summary>
    Int8,
}
