using System.Text.Json;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.TorchSharp.Tests;

/// <summary>The PyTorch 1.13 fixtures of tests/MLNet.Embeddings.Tests (bert) and Training.Tests (bert-mnrl), copied beside this assembly.</summary>
internal static class Fixtures
{
    public static string Folder(params string[] parts) => Path.Combine(new[] { AppContext.BaseDirectory, "Fixtures" }.Concat(parts).ToArray());

    public static BertBackbone Bert(string name) => BertBackbone.Load(Folder("bert", name));

    public static Dictionary<string, Parameter> Expected(string name) => SafeTensors.Read(Folder("bert", name, "expected.safetensors"));

    public static TokenBatch Batch(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Folder("bert", name, "inputs.json")));
        var ids = doc.RootElement.GetProperty("input_ids").EnumerateArray().Select(s => s.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToList();
        var types = doc.RootElement.GetProperty("token_type_ids").EnumerateArray().Select(s => s.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToList();
        var starts = new int[ids.Count + 1];
        for (int i = 0; i < ids.Count; i++) starts[i + 1] = starts[i] + ids[i].Length;
        return new TokenBatch(ids.SelectMany(x => x).ToArray(), types.SelectMany(x => x).ToArray(), starts);
    }

    public static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(b.Length, a.Length);
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }

    /// <summary>‖a − b‖ / ‖b‖.</summary>
    public static double RelativeError(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(b.Length, a.Length);
        double num = 0, den = 0;
        for (int i = 0; i < a.Length; i++) { num += (a[i] - b[i]) * (double)(a[i] - b[i]); den += b[i] * (double)b[i]; }
        return Math.Sqrt(num) / Math.Max(Math.Sqrt(den), 1e-30);
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "mlnet-torch-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }
}
