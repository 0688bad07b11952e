using System.Diagnostics;

namespace MLNet.Embeddings.ML.Tests;

public sealed class CodegenTests
{
    /// <summary>tools/codegen/ml_contracts.py, run again into a scratch copy of the tree, writes exactly the committed VectorContracts.g.cs.</summary>
    [Fact]
    public void GeneratedVectorContractsMatchTheirGenerator()
    {
        const string python = "/usr/bin/python3";
        Assert.True(File.Exists(python), $"{python} is needed to re-run the generator");
        string scratch = TestData.TempDir();
        string script = Path.Combine(scratch, "tools", "codegen", "ml_contracts.py");
        Directory.CreateDirectory(Path.GetDirectoryName(script)!);
        File.Copy(Path.Combine(TestData.Root, "tools", "codegen", "ml_contracts.py"), script);
        var psi = new ProcessStartInfo(python) { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(script);
        using (var p = Process.Start(psi)!)
        {
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, err);
        }
        const string generated = "src/MLNet.Embeddings.ML/Mapping/VectorContracts.g.cs";
        string fresh = File.ReadAllText(Path.Combine(scratch, generated)), committed = File.ReadAllText(Path.Combine(TestData.Root, generated));
        Assert.True(fresh == committed, $"{generated} differs from what tools/codegen/ml_contracts.py writes; run the script and commit its output.");
    }
}
