using System.IO.Compression;

namespace MLNet.Embeddings.ML.Tests;

public sealed class UnpackRaceTests
{
    [Fact]
    public void ParallelFirstRowsUnpackOnceAndNeverDeleteAFolderInUse()
    {
        // parallel cursors of a reloaded pipeline reach their first row together, each with the packed model
        string dir = TestData.TempDir(), content = Path.Combine(dir, "content");
        Directory.CreateDirectory(content);
        var files = Enumerable.Range(0, 20).ToDictionary(i => $"f{i}.bin", i => Enumerable.Range(0, 50_000).Select(j => (byte)(i + j)).ToArray());
        foreach (var (name, bytes) in files) File.WriteAllBytes(Path.Combine(content, name), bytes);
        string zip = Path.Combine(dir, "model.zip");
        ZipFile.CreateFromDirectory(content, zip);
        string id = "race-" + Guid.NewGuid().ToString("N");
        var folders = new string[8];
        Parallel.For(0, folders.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            string copy = Path.Combine(dir, $"copy{t}.zip");
            File.Copy(zip, copy);
            folders[t] = SavedState.Extract(id, copy);
            foreach (var (name, bytes) in files) Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(folders[t], name)));
        });
        Assert.Single(folders.Distinct());
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(folders[0])!, id + ".tmp-*"));
        Directory.Delete(folders[0], true);
    }
}
