using System.Text.Json;
using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.TorchSharp.Tests;

/// <summary>
/// <see cref="TorchCrossEncoder"/> against the PyTorch cross-encoder fixtures (tools/fixtures/make_cross_encoder_fixture.py,
/// BERT and RoBERTa heads) and against the managed <see cref="CrossEncoder"/> on unseen texts, truncation included.
/// </summary>
public class CrossEncoderTests
{
    static string Folder(string name) => Fixtures.Folder("cross-encoder", name);

    static TokenBatch Batch(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(name), "inputs.json")));
        var ids = doc.RootElement.GetProperty("input_ids").EnumerateArray().Select(s => s.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToList();
        var types = doc.RootElement.GetProperty("token_type_ids").EnumerateArray().Select(s => s.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToList();
        var starts = new int[ids.Count + 1];
        for (int i = 0; i < ids.Count; i++) starts[i + 1] = starts[i] + ids[i].Length;
        return new TokenBatch(ids.SelectMany(x => x).ToArray(), types.SelectMany(x => x).ToArray(), starts);
    }

    [Theory]
    [InlineData("bert-1label")]
    [InlineData("bert-2labels")]
    [InlineData("roberta-1label")]
    public void LogitsMatchPyTorchOnTheFixtureIds(string name)
    {
        using var model = TorchCrossEncoder.Load(Folder(name));
        var expected = SafeTensors.Read(Path.Combine(Folder(name), "expected.safetensors"))["logits"].Value;
        var logits = model.Logits(Batch(name));
        double diff = Fixtures.MaxAbsDiff(logits, expected);
        Assert.True(diff < 1e-4, $"{name}: max abs diff {diff:g3}");
    }

    [Theory]
    [InlineData("bert-1label")]
    [InlineData("bert-2labels")]
    public void PredictEqualsTheManagedCrossEncoderOnUnseenTexts(string name)
    {
        var managed = CrossEncoder.Load(Folder(name));
        using var torch = new TorchCrossEncoder(managed);
        Assert.Equal(managed.Labels, torch.Labels);
        Assert.Equal(managed.Activation, torch.Activation);
        // Seeded texts of vocabulary words, capitals, punctuation and unknown words, from empty to past the 64 positions.
        var words = File.ReadAllLines(Path.Combine(Folder(name), "vocab.txt")).Where(w => w.Length > 1 && !w.StartsWith('[')).ToArray();
        string[] extra = ["Hello,", "WORLD!", "naïve", "zyxwvut", "(e.g.", "2024"];
        var rng = new Random(11);
        string Text(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => rng.Next(6) == 0 ? extra[rng.Next(extra.Length)] : words[rng.Next(words.Length)].Replace("##", "", StringComparison.Ordinal)));
        var pairs = Enumerable.Range(0, 24).Select(i => (Text(new[] { 0, 2, 5, 13, 30 }[i % 5]), Text(new[] { 1, 8, 20, 45, 90 }[(i / 3) % 5]))).ToArray();
        Assert.Contains(pairs, p => managed.Tokenize(p.Item1, p.Item2, int.MaxValue).Length > managed.MaxLength);
        foreach (int? maxLength in new int?[] { null, 12 })
        {
            var options = new CrossEncoderOptions { BatchSize = 5, MaxLength = maxLength };
            var expected = managed.PredictLogits(pairs, options).SelectMany(x => x).ToArray();
            var actual = torch.PredictLogits(pairs, options).SelectMany(x => x).ToArray();
            double diff = Fixtures.MaxAbsDiff(actual, expected);
            Assert.True(diff < 1e-4, $"{name}, max length {maxLength}: max abs diff {diff:g3}");
        }
        var documents = pairs.Select(p => p.Item2).ToArray();
        Assert.Equal(managed.Rank(pairs[1].Item1, documents, 5).Select(h => h.Index), torch.Rank(pairs[1].Item1, documents, 5).Select(h => h.Index));
    }
}
