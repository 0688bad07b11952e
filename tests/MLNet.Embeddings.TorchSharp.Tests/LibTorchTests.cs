using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.TorchSharp.Tests;

/// <summary>libtorch loads here, and when it cannot, our error names the real cause.</summary>
public class LibTorchTests
{
    [Fact]
    public void LibTorchLoadsOnThisMachine()
    {
        Assert.True(TorchSharpBackend.TryLoad(out var reason), reason);
        Assert.Null(reason);
    }

    [Fact]
    public void OldLibStdCxxIsNamedWithWhatToInstall()
    {
        string loader = "/app/runtimes/linux-x64/native/libLibTorchSharp.so: /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found";
        string m = LibTorch.Explain(loader, nativeFound: true, oldStdCxx: true, "The libtorch-cpu-linux-x64 package version 2.10.0.0 is not restored on this system.");
        Assert.Contains("GLIBCXX_3.4.32", m);
        Assert.Contains("apt-get install -t trixie libstdc++6", m);
        Assert.Contains("Ubuntu 24.04", m);
        Assert.StartsWith("libtorch could not be loaded: /app/runtimes", m);
    }

    [Fact]
    public void MissingNativePackageIsNamed()
    {
        string m = LibTorch.Explain(null, nativeFound: false, oldStdCxx: false, "not restored");
        Assert.Contains("libLibTorchSharp was not found", m);
        Assert.Contains("libtorch-cpu-linux-x64 2.10.0", m);
        Assert.DoesNotContain("trixie", m);
    }

    [Fact]
    public void CudaAskedForButAbsentIsAnErrorNotAFallback()
    {
        if (TorchSharpBackend.IsCudaAvailable()) return; // the CUDA tests cover this machine
        var e = Assert.Throws<ConfigurationException>(() => TorchDevices.Resolve("cuda"));
        Assert.Equal("Device", e.Setting);
        Assert.Contains("CUDA is not available", e.Message);
        Assert.Contains("no silent CPU fallback", e.Message);
        Assert.Throws<ConfigurationException>(() => TorchDevices.Resolve("cuda:1"));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    public void MalformedDeviceIsRejected(string device)
    {
        var e = Assert.Throws<ConfigurationException>(() => TorchDevices.Resolve(device));
        Assert.Contains("expected cpu, cuda or cuda:N", e.Message);
        Assert.Contains(device, e.Message);
    }

    [Fact]
    public void LowPrecisionNeedsCuda()
    {
        var e = Assert.Throws<ConfigurationException>(() => TorchDevices.LowPrecision(TrainingPrecision.BFloat16, TorchDevices.Resolve("cpu")));
        Assert.Equal("Precision", e.Setting);
        Assert.Null(TorchDevices.LowPrecision(TrainingPrecision.Float32, TorchDevices.Resolve("cpu")));
    }
}
