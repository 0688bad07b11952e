using System.Text.Json;

namespace MLNet.Embeddings.Training.Tests.Evaluation;

/// <summary>Locates and parses the JSON fixtures made by tools/fixtures/*.py.</summary>
internal static class EvaluationFixtures
{
    public static JsonDocument Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Evaluation", name);
        Assert.True(File.Exists(path), $"Fixture {path} is missing; regenerate it with tools/fixtures/*.py.");
        return JsonDocument.Parse(File.ReadAllText(path));
    }

    public static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();
    public static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    /// <summary>A fresh temporary directory, deleted by the caller.</summary>
    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mlnet-eval-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
