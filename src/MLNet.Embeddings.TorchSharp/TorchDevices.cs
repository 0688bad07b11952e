using MLNet.Embeddings.Training;
using TorchSharp;

namespace MLNet.Embeddings.TorchSharp;

/// <summary>Parses and checks a device string (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>); CUDA that is absent is an error, never a CPU fallback.</summary>
internal static class TorchDevices
{
    /// <summary>The torch device for <paramref name="device"/> (null means cpu), after checking that it exists.</summary>
    /// <exception cref="ConfigurationException">The string is malformed, or CUDA (or that GPU) is not available.</exception>
    public static torch.Device Resolve(string? device, string setting = "Device")
    {
        string d = (device ?? "cpu").Trim().ToLowerInvariant();
        LibTorch.EnsureLoaded();
        if (d == "cpu") return torch.CPU;
        int index = 0;
        if (d != "cuda" && !(d.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(d.AsSpan(5), out index) && index >= 0))
            throw new ConfigurationException(setting, $"expected cpu, cuda or cuda:N, found '{device}'.");
        bool available;
        try { torch.InitializeDeviceType(DeviceType.CUDA); available = torch.cuda.is_available(); }
        catch (Exception e) when (e is not OutOfMemoryException) { available = false; }
        if (!available)
            throw new ConfigurationException(setting, $"'{device}' was asked for, but CUDA is not available: the loaded libtorch is the CPU build "
                + "(libtorch-cpu-linux-x64) or no NVIDIA GPU and driver are visible. Reference TorchSharp-cuda-linux 0.107.0 instead of "
                + "libtorch-cpu-linux-x64 on a machine with a CUDA driver, or use Device = \"cpu\" (there is no silent CPU fallback).");
        int count = torch.cuda.device_count();
        if (index >= count)
            throw new ConfigurationException(setting, $"'{device}' was asked for, but only {count} CUDA device(s) are visible (cuda:0 … cuda:{count - 1}).");
        return torch.device(DeviceType.CUDA, index);
    }

    /// <summary>The low-precision dtype of <paramref name="precision"/>, or null for float32; low precision needs CUDA.</summary>
    public static torch.ScalarType? LowPrecision(TrainingPrecision precision, torch.Device device, string setting = "Precision")
    {
        if (precision == TrainingPrecision.Float32) return null;
        if (device.type != DeviceType.CUDA)
            throw new ConfigurationException(setting, $"{precision} autocast needs a CUDA device; found '{device}'. Use Float32 on the CPU.");
        return precision == TrainingPrecision.BFloat16 ? torch.ScalarType.BFloat16 : torch.ScalarType.Float16;
    }
}
