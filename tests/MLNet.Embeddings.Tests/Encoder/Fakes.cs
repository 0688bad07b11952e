using System.Text.Json;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Tensors;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.Tests.Encoder;

/// <summary>Whitespace tokenizer: [CLS]=1, words → 3 + (stable hash % 97), [SEP]=2; truncation keeps both specials.</summary>
internal sealed class FakeTokenizer : ITokenizer
{
    public int VocabSize => 100;
    public int PadId => 0;
    public List<string> Seen { get; } = new();

    public static int WordId(string w)
    {
        int h = 17;
        foreach (char c in w) h = unchecked(h * 31 + c);
        return 3 + (int)((uint)h % 97);
    }

    public TokenizedText Encode(string text, int maxLength = 512, bool addSpecialTokens = true)
    {
        lock (Seen) Seen.Add(text);
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ids = new List<int>();
        if (addSpecialTokens) ids.Add(1);
        int room = maxLength - (addSpecialTokens ? 2 : 0);
        foreach (var w in words.Take(Math.Max(0, room))) ids.Add(WordId(w));
        if (addSpecialTokens) ids.Add(2);
        var arr = ids.Take(maxLength).ToArray();
        return new TokenizedText(arr, new int[arr.Length], new (int, int)[arr.Length]);
    }

    public string? IdToToken(int id) => null;
    public int? TokenToId(string token) => null;
    public void Save(string folder) => File.WriteAllText(Path.Combine(folder, "fake_tokenizer.txt"), "fake");
}

/// <summary>Token vectors from (id, position, neighbour) so packing or ordering bugs change the output; MaxPositions 16.</summary>
internal sealed class FakeBackbone : IBackbone
{
    public FakeBackbone(float scale = 1f) { Scale = scale; }
    public float Scale { get; }
    public string ModelType => "fake";
    public int HiddenSize => 4;
    public int MaxPositions => 16;
    public int Calls { get; private set; }

    public float[] Forward(TokenBatch batch, CancellationToken cancellationToken = default)
    {
        Calls++;
        var output = new float[batch.TotalTokens * HiddenSize];
        for (int s = 0; s < batch.Count; s++)
            for (int t = 0; t < batch.Length(s); t++)
            {
                int i = batch.Starts[s] + t, id = batch.Ids[i];
                int next = t + 1 < batch.Length(s) ? batch.Ids[i + 1] : 0;
                var v = output.AsSpan(i * HiddenSize, HiddenSize);
                v[0] = Scale * MathF.Sin(id);
                v[1] = Scale * MathF.Cos(id * 0.7f + t);
                v[2] = Scale * (0.1f * t - 0.05f * next);
                v[3] = Scale * (id % 5 - 2);
            }
        return output;
    }

    public void Save(string folder)
    {
        File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(new { model_type = "fake", scale = Scale }));
        SafeTensors.Write(Path.Combine(folder, "model.safetensors"), new[] { new Parameter("scale", new[] { 1 }, new[] { Scale }) });
    }

    public static FakeBackbone Load(string folder) => new(SafeTensors.Read(Path.Combine(folder, "model.safetensors"))["scale"].Value[0]);
}

/// <summary>A backbone with pooling inside: sentence vector = (count, sum of ids, 1).</summary>
internal sealed class FakePooledBackbone : IPooledBackbone
{
    public string ModelType => "fakepooled";
    public int HiddenSize => 3;
    public int Dimensions => 3;
    public int MaxPositions => 64;
    public float[] Forward(TokenBatch batch, CancellationToken cancellationToken = default) => throw new InvalidOperationException("pooled only");
    public float[] ForwardPooled(TokenBatch batch, CancellationToken cancellationToken = default)
    {
        var r = new float[batch.Count * 3];
        for (int s = 0; s < batch.Count; s++)
        {
            r[s * 3] = batch.Length(s);
            for (int t = batch.Starts[s]; t < batch.Starts[s + 1]; t++) r[s * 3 + 1] += batch.Ids[t];
            r[s * 3 + 2] = 1;
        }
        return r;
    }
    public void Save(string folder) { }
}
