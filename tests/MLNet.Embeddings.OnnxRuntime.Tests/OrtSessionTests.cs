using MLNet.Embeddings.OnnxRuntime;

namespace MLNet.Embeddings.OnnxRuntime.Tests;

public class OrtSessionTests
{
    [Fact]
    public void Runtime_is_the_packaged_cpu_build_found_without_any_setting()
    {
        // No environment variable, no path: the native library is the one the Microsoft.ML.OnnxRuntime package put
        // beside the test assembly (runtimes/<rid>/native), loaded by the managed API.
        Assert.Equal("1.32.0", OrtSession.Version);
        Assert.Contains("CPUExecutionProvider", OrtSession.AvailableProviders);
        Assert.DoesNotContain("CUDAExecutionProvider", OrtSession.AvailableProviders);
        if (OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64)
            Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libonnxruntime.so")));
    }

    [Fact]
    public void Add_graph_runs_and_reports_inputs_and_outputs()
    {
        using var session = OrtSession.Open(OrtTestEnvironment.Fixture("add.onnx"), OrtTestEnvironment.Options());
        Assert.Equal(["a", "b"], session.Inputs.Select(i => i.Name));
        Assert.Equal("sum", Assert.Single(session.Outputs).Name);
        Assert.Equal(OrtElementType.Float, session.Inputs[0].ElementType);
        Assert.Equal([-1L, 3L], session.Inputs[0].Shape);
        Assert.Equal("n", session.Inputs[0].SymbolicShape[0]);
        Assert.Equal("a: Float[n,3]", session.Inputs[0].ToString());
        Assert.Null(session.CpuFallbackReason);

        var a = new float[] { 1, 2, 3, 4, 5, 6 };
        var b = new float[] { 10, 20, 30, 40, 50, 60.5f };
        var outputs = session.Run([OrtTensor.Float("a", a, 2, 3), OrtTensor.Float("b", b, 2, 3)]);
        var sum = Assert.Single(outputs);
        Assert.Equal([2L, 3L], sum.Shape);
        Assert.Equal(a.Zip(b, (x, y) => x + y), sum.AsFloats());
    }

    [Fact]
    public void Preallocated_output_is_written_in_place_and_reused()
    {
        using var session = OrtSession.Open(OrtTestEnvironment.Fixture("add.onnx"), OrtTestEnvironment.Options());
        var output = new float[9]; // longer than one [1,3] result: a reused buffer
        output.AsSpan().Fill(-7f);
        for (int round = 1; round <= 3; round++)
        {
            var a = new float[] { round, 2 * round, 3 * round };
            session.RunInto([OrtTensor.Float("a", a, 1, 3), OrtTensor.Float("b", [1f, 1f, 1f], 1, 3)], ["sum"], [OrtTensor.Float("sum", output, 1, 3)]);
            Assert.Equal(a.Select(x => x + 1), output.Take(3));
        }
        Assert.All(output.Skip(3), v => Assert.Equal(-7f, v)); // only the tensor's part is touched
    }

    [Fact]
    public void Ort_errors_carry_ort_message_and_code()
    {
        using var session = OrtSession.Open(OrtTestEnvironment.Fixture("add.onnx"), OrtTestEnvironment.Options());
        // Wrong rank: ORT rejects it with its own message and code, parsed out of the managed API's exception.
        var ex = Assert.Throws<OrtException>(() => session.Run([OrtTensor.Float("a", [1f, 2f, 3f], 3), OrtTensor.Float("b", [1f, 2f, 3f], 3)]));
        Assert.Equal("Run", ex.Operation);
        Assert.Equal(OrtErrorCode.InvalidArgument, ex.Code);
        Assert.Contains("rank", ex.OrtMessage, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("[ErrorCode:", ex.OrtMessage);

        var unknown = Assert.Throws<OrtException>(() => session.Run([OrtTensor.Float("x", [1f, 2f, 3f], 1, 3)]));
        Assert.Contains("no input named 'x'", unknown.Message);
        Assert.Contains("a, b", unknown.Message);

        var bad = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(bad, [1, 2, 3, 4, 5]);
            var load = Assert.Throws<OrtException>(() => OrtSession.Open(bad, OrtTestEnvironment.Options()));
            Assert.StartsWith("CreateSession", load.Operation);
            Assert.Contains(bad, load.Message);
            Assert.False(string.IsNullOrWhiteSpace(load.OrtMessage));
        }
        finally { File.Delete(bad); }
        Assert.Throws<FileNotFoundException>(() => OrtSession.Open(bad, OrtTestEnvironment.Options()));
    }

    [Fact]
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
        Assert.Equal(64, session.Timings.Runs);
        Assert.True(session.Timings.NativeSeconds <= session.Timings.TotalSeconds);
    }

    [Fact]
    public void Run_after_dispose_throws_instead_of_touching_freed_memory()
    {
        var session = OrtSession.Open(OrtTestEnvironment.Fixture("add.onnx"), OrtTestEnvironment.Options());
        session.Dispose();
        session.Dispose(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => session.Run([OrtTensor.Float("a", [1f, 2f, 3f], 1, 3), OrtTensor.Float("b", [1f, 2f, 3f], 1, 3)]));
    }

    [Theory]
    [InlineData(OrtGraphOptimization.None)]
    [InlineData(OrtGraphOptimization.Basic)]
    [InlineData(OrtGraphOptimization.Extended)]
    [InlineData(OrtGraphOptimization.Layout)]
    [InlineData(OrtGraphOptimization.All)]
    public void Every_optimisation_level_and_thread_setting_opens_and_runs(OrtGraphOptimization level)
    {
        var options = new OrtSessionOptions
        {
            GraphOptimization = level, IntraOpThreads = 2, InterOpThreads = 1,
            ConfigEntries = { ["session.intra_op.allow_spinning"] = "0" },
        };
        using var session = OrtSession.Open(OrtTestEnvironment.Fixture("add.onnx"), options);
        var r = session.Run([OrtTensor.Float("a", [1f, 2f, 3f], 1, 3), OrtTensor.Float("b", [4f, 5f, 6f], 1, 3)])[0].AsFloats();
        Assert.Equal([5f, 7f, 9f], r);
    }

    [Fact]
    public void A_bad_setting_is_reported_with_the_setting()
    {
        var level = Assert.Throws<ArgumentOutOfRangeException>(() => OrtSession.Open(OrtTestEnvironment.Fixture("add.onnx"),
            new OrtSessionOptions { GraphOptimization = (OrtGraphOptimization)7 }));
        Assert.Contains("GraphOptimization", level.Message);
    }

    [Fact]
    public void Library_path_must_exist_and_cannot_replace_a_loaded_library()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "libonnxruntime.so");
        var ex = Assert.Throws<OrtException>(() => OrtSession.Open(OrtTestEnvironment.Fixture("add.onnx"), new OrtSessionOptions { LibraryPath = missing }));
        Assert.Contains(missing, ex.Message);
        Assert.Contains("LibraryPath", ex.Message);

        // The package's library is in use (this session): another file cannot take its place in this process.
        using (OrtSession.Open(OrtTestEnvironment.Fixture("add.onnx"), OrtTestEnvironment.Options())) { }
        var other = Path.GetTempFileName();
        try
        {
            var loaded = Assert.Throws<OrtException>(() => OrtSession.Open(OrtTestEnvironment.Fixture("add.onnx"), new OrtSessionOptions { LibraryPath = other }));
            Assert.Contains("already loaded", loaded.Message);
        }
        finally { File.Delete(other); }
    }
}
