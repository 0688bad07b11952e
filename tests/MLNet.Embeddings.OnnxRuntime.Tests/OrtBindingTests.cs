using MLNet.Embeddings.OnnxRuntime;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

public class OrtBindingTests
{
    [OrtFact]
    public void Library_reports_version_and_cpu_provider()
    {
        var rt = OrtRuntime.Load(OrtTestEnvironment.LibraryPath);
        Assert.Matches(@"^1\.\d+\.\d+", rt.Version);
        // GetAvailableProviders (index 125) and GetBuildInfoString (index 254) sit far down the function table:
        // a miscounted index would return garbage or crash here.
        Assert.Contains("CPUExecutionProvider", rt.AvailableProviders);
        Assert.Contains("ORT Build Info", rt.BuildInfo);
        // A library is loaded once per process and path; FoundBy tells how the first load found it, and another
        // test may have loaded this same file through the environment variable first.
        Assert.Contains(rt.FoundBy, new[] { "option", OrtRuntime.EnvironmentVariable });
    }

    [OrtFact]
    public void Api_version_30_is_served_by_1_30_and_31_is_not()
    {
        var rt = OrtRuntime.Load(OrtTestEnvironment.LibraryPath);
        if (!rt.Version.StartsWith("1.30.", StringComparison.Ordinal)) return; // the check below is about 1.30 only
        Assert.True(OrtRuntime.ServesApiVersion(rt.LibraryPath, 30));
        Assert.False(OrtRuntime.ServesApiVersion(rt.LibraryPath, 31));
    }

    [Fact]
    public void Missing_library_lists_every_place_tried()
    {
        var bogus = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "libonnxruntime.so");
        bool loaded = OrtRuntime.TryLoad(bogus, out _, out var error); // may still succeed through a later place
        if (!loaded) { Assert.Contains(bogus, error); Assert.Contains("Tried:", error); }
        var candidates = OrtRuntime.Candidates(bogus);
        Assert.Equal((Path.GetFullPath(bogus), "option"), candidates[0]);
        Assert.Contains(candidates, c => c.Source == "runtimes folder" && c.Path.Contains(Path.Combine("runtimes", "linux-x64", "native")) || !OperatingSystem.IsLinux());
        Assert.Contains(candidates, c => c.Source == "system loader");
    }

    [OrtFact]
    public void Add_graph_runs_and_reports_inputs_and_outputs()
    {
        using var session = OrtSession.Open(OrtTestEnvironment.Fixture("add.onnx"), OrtTestEnvironment.Options());
        Assert.Equal(["a", "b"], session.Inputs.Select(i => i.Name));
        Assert.Equal("sum", Assert.Single(session.Outputs).Name);
        Assert.Equal(OrtElementType.Float, session.Inputs[0].ElementType);
        Assert.Equal([-1L, 3L], session.Inputs[0].Shape);
        Assert.Equal("n", session.Inputs[0].SymbolicShape[0]);

        var a = new float[] { 1, 2, 3, 4, 5, 6 };
        var b = new float[] { 10, 20, 30, 40, 50, 60.5f };
        var outputs = session.Run([OrtTensor.Float("a", a, 2, 3), OrtTensor.Float("b", b, 2, 3)]);
        var sum = Assert.Single(outputs);
        Assert.Equal([2L, 3L], sum.Shape);
        Assert.Equal(a.Zip(b, (x, y) => x + y), sum.AsFloats());
    }

    [OrtFact]
    public void Ort_errors_carry_ort_message()
    {
        using var session = OrtSession.Open(OrtTestEnvironment.Fixture("add.onnx"), OrtTestEnvironment.Options());
        // Wrong rank: ORT rejects it with its own message, which must reach us through GetErrorMessage.
        var ex = Assert.Throws<OrtException>(() => session.Run([OrtTensor.Float("a", [1f, 2f, 3f], 3), OrtTensor.Float("b", [1f, 2f, 3f], 3)]));
        Assert.Equal("Run", ex.Operation);
        Assert.Equal(OrtErrorCode.InvalidArgument, ex.Code);
        Assert.Contains("rank", ex.OrtMessage, StringComparison.OrdinalIgnoreCase);

        var unknown = Assert.Throws<OrtException>(() => session.Run([OrtTensor.Float("x", [1f, 2f, 3f], 1, 3)]));
        Assert.Contains("no input named 'x'", unknown.Message);

        var bad = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(bad, [1, 2, 3, 4, 5]);
            var load = Assert.Throws<OrtException>(() => OrtSession.Open(bad, OrtTestEnvironment.Options()));
            Assert.StartsWith("CreateSession", load.Operation);
            Assert.False(string.IsNullOrWhiteSpace(load.OrtMessage));
        }
        finally { File.Delete(bad); }
    }

    [OrtFact]
    public void Session_from_bytes_and_parallel_runs_agree()
    {
        using var session = OrtSession.FromBytes(File.ReadAllBytes(OrtTestEnvironment.Fixture("add.onnx")), OrtTestEnvironment.Options());
        var failures = 0;
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var a = Enumerable.Range(0, 3 * (i % 5 + 1)).Select(x => (float)(x * i)).ToArray();
            var b = Enumerable.Range(0, a.Length).Select(x => (float)x).ToArray();
            var r = session.Run([OrtTensor.Float("a", a, a.Length / 3, 3), OrtTensor.Float("b", b, b.Length / 3, 3)])[0].AsFloats();
            for (int k = 0; k < a.Length; k++) if (r[k] != a[k] + b[k]) Interlocked.Increment(ref failures);
        });
        Assert.Equal(0, failures);
    }

    [OrtFact]
    public void Run_after_dispose_throws_instead_of_touching_freed_memory()
    {
        var session = OrtSession.Open(OrtTestEnvironment.Fixture("add.onnx"), OrtTestEnvironment.Options());
        session.Dispose();
        session.Dispose(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => session.Run([OrtTensor.Float("a", [1f, 2f, 3f], 1, 3), OrtTensor.Float("b", [1f, 2f, 3f], 1, 3)]));
    }

    [OrtFact]
    public void Cuda_request_fails_clearly_without_a_usable_cuda()
    {
        var rt = OrtRuntime.Load(OrtTestEnvironment.LibraryPath);
        var options = OrtTestEnvironment.Options();
        options.Device = OrtDevice.Cuda;
        OrtException ex;
        try
        {
            using var session = OrtSession.Open(OrtTestEnvironment.Fixture("add.onnx"), options);
            return; // a machine with a working CUDA provider: nothing to check here
        }
        catch (OrtException e) { ex = e; }
        if (!rt.HasCuda)
        {
            Assert.Contains("CPU-only", ex.Message);
            Assert.Contains("CPUExecutionProvider", ex.Message);
        }
        else
        {
            // CUDA is compiled in but cannot start (e.g. the npm build without its provider library, or no GPU):
            // ORT's own reason must come through, with the step that failed.
            Assert.Contains("CUDA", ex.Message);
            Assert.False(string.IsNullOrWhiteSpace(ex.OrtMessage));
        }
    }
}
