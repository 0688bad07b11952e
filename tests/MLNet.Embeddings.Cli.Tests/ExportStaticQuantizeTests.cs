namespace MLNet.Embeddings.Cli.Tests;

/// <summary><c>export --quantize int8</c> on a static model says there is nothing to quantise and writes nothing.</summary>
[Collection("Console")]
public class ExportStaticQuantizeTests
{
    [Fact]
    public void Int8OnAStaticModelIsRefusedWithTheReason()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlnet-export-static", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string vectors = Path.Combine(dir, "tiny.vec");
        File.WriteAllLines(vectors, ["cat 0.1 0.2 0.3", "dog 0.2 0.1 0.0", "runs 0.0 0.5 0.1"]);
        string folder = Path.Combine(dir, "static-folder");
        SentenceEncoder.Load(vectors).Save(folder);
        foreach (var model in new[] { vectors, folder })
        {
            string output = Path.Combine(dir, Path.GetFileName(model) + ".onnx");
            var r = ConsoleRun.Cli("export", "--model", model, "--output", output, "--quantize", "int8");
            Assert.Equal(1, r.Code);
            Assert.StartsWith("error: --quantize: ", r.Err.Split('\n').Last(l => l.Length > 0));
            Assert.Contains("static word-vector model has none", r.Err);
            Assert.False(File.Exists(output));
            // without --quantize the same model exports
            var ok = ConsoleRun.Cli("export", "--model", model, "--output", output);
            Assert.True(ok.Code == 0, ok.Err);
            Assert.True(File.Exists(output));
        }
    }
}
