using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Tests.Bert;

/// <summary>Loads the PyTorch fixtures of tools/fixtures/make_bert_fixture.py (with a minimal F32 safetensors reader of its own).</summary>
static class BertFixture
{
    public static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "bert", name);

    public static Dictionary<string, Parameter> ReadTensors(string path)
    {
        var bytes = File.ReadAllBytes(path);
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n));
        var result = new Dictionary<string, Parameter>();
        foreach (var prop in doc.RootElement.EnumerateObject())
        {
            if (prop.Name == "__metadata__") continue;
            Assert.Equal("F32", prop.Value.GetProperty("dtype").GetString());
            var shape = prop.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var off = prop.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var values = new float[(off[1] - off[0]) / 4];
            Buffer.BlockCopy(bytes, (int)(8 + n + off[0]), values, 0, values.Length * 4);
            result[prop.Name] = new Parameter(prop.Name, shape, values);
        }
        return result;
    }

    public static BertBackbone Model(string name)
    {
        var folder = Folder(name);
        var config = BertConfig.Load(Path.Combine(folder, "config.json"));
        return new BertBackbone(config, ReadTensors(Path.Combine(folder, "model.safetensors")));
    }

    public static Dictionary<string, Parameter> Expected(string name) => ReadTensors(Path.Combine(Folder(name), "expected.safetensors"));

    public static TokenBatch Batch(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(name), "inputs.json")));
        var ids = doc.RootElement.GetProperty("input_ids").EnumerateArray().Select(s => s.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToList();
        var types = doc.RootElement.GetProperty("token_type_ids").EnumerateArray().Select(s => s.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToList();
        var starts = new int[ids.Count + 1];
        for (int i = 0; i < ids.Count; i++) starts[i + 1] = starts[i] + ids[i].Length;
        return new TokenBatch(ids.SelectMany(x => x).ToArray(), types.SelectMany(x => x).ToArray(), starts);
    }

    public static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs((double)a[i] - b[i]));
        return m;
    }

    /// <summary>
    /// ‖a − b‖ / ‖b‖. Gradients that are zero in theory (‖b‖ &lt; 1e-9: the key biases, since softmax ignores a
    /// per-row shift) compare absolutely, scaled so that ‖a‖ ≤ 1e-4 passes a 1e-3 bound.
    /// </summary>
    public static double RelativeError(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double num = 0, den = 0;
        for (int i = 0; i < a.Length; i++) { double d = (double)a[i] - b[i]; num += d * d; den += (double)b[i] * b[i]; }
        return Math.Sqrt(den) < 1e-9 ? Math.Sqrt(num) * 10 : Math.Sqrt(num / den);
    }
}
