namespace MLNet.Embeddings.Backbones.Bert;

/// <summary>BERT-family encoder (managed kernels). Placeholder signature; the BERT work replaces this file.</summary>
public sealed class BertBackbone
{
    /// <summary>Loads config.json + model.safetensors from a Hugging Face folder.</summary>
    public static ITrainableBackbone Load(string folder) => throw new NotImplementedException();
}
