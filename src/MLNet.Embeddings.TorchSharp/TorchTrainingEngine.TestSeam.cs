using TorchSharp;

namespace MLNet.Embeddings.TorchSharp;

/// <summary>Test seam (internal, for the test project): reads what the engine keeps on the device.</summary>
internal sealed partial class TorchTrainingEngine
{
    /// <summary>The accumulated gradient of parameter <paramref name="index"/> copied to the host, or null before any backward.</summary>
    internal float[]? Gradient(int index)
    {
        if (_model.Weights[index].grad is not { } g) return null;
        using var cpu = g.cpu();
        return cpu.data<float>().ToArray();
    }
}
