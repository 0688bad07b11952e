namespace MLNet.Embeddings.Models;

/// <summary>Which weight files a download fetches: the ones the chosen backend loads.</summary>
public enum ModelWeights
{
    /// <summary><c>model.safetensors</c> (or its shards): the managed and TorchSharp backends.</summary>
    SafeTensors,
    /// <summary>An ONNX file (<see cref="ModelResolveOptions.OnnxFile"/>): the ONNX Runtime backend.</summary>
    Onnx,
}
