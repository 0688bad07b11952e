using System.Text.Json;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.Tests.Tokenization;

/// <summary>
/// Parity of a tokenizer.json tokenizer against Hugging Face tokenizers: ids and offsets of every case in
/// <c>Fixtures/Tokenization/{name}_parity.json</c> for the tokenizer in <c>Fixtures/Tokenization/{name}/</c>,
/// and loading through <see cref="TokenizerLoader"/> with a save round trip. Each derived class runs these tests.
/// </summary>
public abstract class HfParityTests<TTokenizer> where TTokenizer : ITokenizer
{
    private readonly string _name;
    private readonly Func<string, TTokenizer> _fromTokenizerJson;

    /// <param name="name">Fixture name (<c>bpe</c>, <c>unigram</c>).</param>
    /// <param name="fromTokenizerJson">The tokenizer's <c>FromTokenizerJson</c>.</param>
    protected HfParityTests(string name, Func<string, TTokenizer> fromTokenizerJson)
    {
        _name = name;
        _fromTokenizerJson = fromTokenizerJson;
    }

    /// <summary>The tokenizer.json under test (by default <c>Fixtures/Tokenization/{name}/tokenizer.json</c>).</summary>
    protected virtual string TokenizerPath => TestPaths.Fixture($"Tokenization/{_name}/tokenizer.json");

    private IEnumerable<(string Text, int[] Ids, int[][] Offsets)> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture($"Tokenization/{_name}_parity.json")));
        var list = new List<(string, int[], int[][])>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            list.Add((c.GetProperty("text").GetString()!,
                c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                c.GetProperty("offsets").EnumerateArray().Select(o => o.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToArray()));
        return list;
    }

    [Fact]
    public void IdsMatchHuggingFace()
    {
        var tok = _fromTokenizerJson(TokenizerPath);
        var failures = new List<string>();
        int n = 0;
        foreach (var (text, ids, _) in Cases())
        {
            n++;
            var r = tok.Encode(text, int.MaxValue);
            if (!r.Ids.SequenceEqual(ids))
                failures.Add($"{JsonSerializer.Serialize(text.Length > 100 ? text[..100] : text)}\n  expected {string.Join(",", ids.Take(40))}\n  actual   {string.Join(",", r.Ids.Take(40))}");
        }
        Assert.True(n >= 500);
        Assert.True(failures.Count == 0, $"{failures.Count} of {n} differ:\n" + string.Join("\n", failures.Take(6)));
    }

    [Fact]
    public void OffsetsMatchHuggingFace()
    {
        var tok = _fromTokenizerJson(TokenizerPath);
        var failures = new List<string>();
        foreach (var (text, ids, offsets) in Cases())
        {
            var r = tok.Encode(text, int.MaxValue);
            if (!r.Ids.SequenceEqual(ids)) continue; // reported by IdsMatchHuggingFace
            if (!r.Offsets.SelectMany(o => new[] { o.Start, o.End }).SequenceEqual(offsets.SelectMany(o => o)))
                failures.Add($"{JsonSerializer.Serialize(text.Length > 100 ? text[..100] : text)}\n  expected {string.Join(" ", offsets.Take(30).Select(o => $"{o[0]}-{o[1]}"))}\n  actual   {string.Join(" ", r.Offsets.Take(30).Select(o => $"{o.Start}-{o.End}"))}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} differ:\n" + string.Join("\n", failures.Take(6)));
    }

    /// <summary>First and last id of "Hello world, it's a &lt;mask&gt; test" cut to 6 tokens, and the pad id (RoBERTa's by default).</summary>
    protected virtual (int First, int Last, int Pad) ExpectedEnds => (0, 2, 1);

    [Fact]
    public void LoaderDispatchesOnModelTypeAndSaveRoundTrips()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mlnet-{_name}-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(dir);
            File.Copy(TokenizerPath, Path.Combine(dir, "tokenizer.json"));
            var tok = Assert.IsType<TTokenizer>(TokenizerLoader.Load(dir));
            var r = tok.Encode("Hello world, it's a <mask> test", maxLength: 6);
            Assert.Equal(6, r.Length);
            Assert.Equal(ExpectedEnds.First, r.Ids[0]);   // <s> for RoBERTa
            Assert.Equal(ExpectedEnds.Last, r.Ids[^1]);   // </s> for RoBERTa
            Assert.Equal(ExpectedEnds.Pad, tok.PadId);    // <pad> for RoBERTa
            string saved = Path.Combine(dir, "saved");
            tok.Save(saved);
            var again = TokenizerLoader.Load(saved);
            Assert.Equal(tok.Encode("Hello world, it's a <mask> test").Ids, again.Encode("Hello world, it's a <mask> test").Ids);
        }
        finally { Directory.Delete(dir, true); }
    }
}
