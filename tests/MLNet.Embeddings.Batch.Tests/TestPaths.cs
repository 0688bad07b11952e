namespace MLNet.Embeddings.Batch.Tests;

/// <summary>A fresh temporary folder per test.</summary>
internal static class TestPaths
{
    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "mlnet-batch-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }
}
