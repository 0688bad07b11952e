using BenchmarkDotNet.Attributes;
using MLNet.Embeddings.Tokenization;
using MLNet.Embeddings.Tokenization.WordPiece;

namespace MLNet.Embeddings.Benchmarks.Tokenization;

/// <summary>
/// WordPiece encoding of the STS-B test sentences (2,758 texts) with bert-base-uncased's tokenizer.json.
/// <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*TokenizerBenchmark*'</c>.
/// For tokens/s next to Hugging Face tokenizers use <see cref="TokenizerThroughput"/>.
/// </summary>
[MemoryDiagnoser]
public class TokenizerBenchmark
{
    private ITokenizer _tokenizer = null!;
    private string[] _texts = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tokenizer = WordPieceTokenizer.FromTokenizerJson(BenchData.Shared("tokenizers/bert-base-uncased/tokenizer.json"));
        _texts = BenchData.StsTexts();
    }

    [Benchmark]
    public int EncodeStsTest()
    {
        int tokens = 0;
        foreach (var t in _texts) tokens += _tokenizer.Encode(t).Length;
        return tokens;
    }
}
