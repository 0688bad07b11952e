using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.TorchSharp;

/// <summary>
/// Entry points of the TorchSharp backend: register it with the trainer, load a model for inference on a device,
/// check whether libtorch and CUDA are usable here.
/// </summary>
/// <example>
/// <code>
/// TorchSharpBackend.Register();
/// var options = new TrainerOptions { Backend = TrainingBackend.TorchSharp, Device = "cuda" };
/// </code>
/// </example>
public static class TorchSharpBackend
{
    /// <summary>Registers <see cref="TorchSharpEngineFactory"/> so that <c>TrainerOptions.Backend = TorchSharp</c> works.</summary>
    public static void Register() => TrainingEngines.Register(new TorchSharpEngineFactory());

    /// <summary>Whether libtorch loads here; <paramref name="reason"/> names the cause when it does not.</summary>
    public static bool TryLoad(out string? reason) => LibTorch.TryLoad(out reason);

    /// <summary>Whether libtorch loads and sees at least one CUDA device.</summary>
    public static bool IsCudaAvailable()
    {
        if (!LibTorch.TryLoad(out _)) return false;
        try { global::TorchSharp.torch.InitializeDeviceType(global::TorchSharp.DeviceType.CUDA); return global::TorchSharp.torch.cuda.is_available(); }
        catch (Exception e) when (e is not OutOfMemoryException) { return false; }
    }

    /// <summary>Loads a model folder and runs its BERT-family backbone on libtorch at <paramref name="device"/>.</summary>
    /// <exception cref="ConfigurationException">The model is not BERT-family, or the device cannot be used.</exception>
    /// <exception cref="LibTorchLoadException">libtorch cannot be loaded.</exception>
    public static SentenceEncoder Load(string path, string device = "cpu", TrainingPrecision precision = TrainingPrecision.Float32) =>
        OnDevice(SentenceEncoder.Load(path), device, precision);

    /// <summary>The same model (tokenizer, pooling, config) with its backbone on libtorch at <paramref name="device"/>.</summary>
    public static SentenceEncoder OnDevice(SentenceEncoder model, string device = "cpu", TrainingPrecision precision = TrainingPrecision.Float32)
    {
        var bert = model.Backbone as BertBackbone
            ?? throw new ConfigurationException("backend", $"TorchSharp runs BERT-family models (bert, roberta, xlm-roberta); this model's backbone is '{model.Backbone.ModelType}'.");
        return new SentenceEncoder(model.Tokenizer, new TorchBertBackbone(bert, device, precision), model.Config);
    }
}
