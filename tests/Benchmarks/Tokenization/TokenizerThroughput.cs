using System.Diagnostics;
using MLNet.Embeddings.Tokenization;
using MLNet.Embeddings.Tokenization.WordPiece;


namespace MLNet.Embeddings.Benchmarks.Tokenization;

/// <summary>
/// Tokens per second (special tokens included, one thread, no truncation) on the text sets of
/// tools/bench/hf_tokenizer_bench.js, printed as JSON lines so the two can be put side by side:
/// <c>dotnet run -c Release --project tests/Benchmarks -- tokenizer [seconds]</c>.
/// </summary>
public static class TokenizerThroughput
{
    public static int Run(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3;
        var sets = new (string Name, ITokenizer Tokenizer, string[] Texts)[]
        {
            ("sts-b test (bert-base-uncased)", WordPieceTokenizer.FromTokenizerJson(BenchData.Shared("tokenizers/bert-base-uncased/tokenizer.json")), BenchData.StsTexts()),
            ("zh sample (bert-base-chinese)", TokenizerLoader.Load(BenchData.Shared("tokenizers/bert-base-chinese")), BenchData.ZhTexts()),
            ("sts-b test (byte-level BPE fixture)", TokenizerLoader.Load(BenchData.FixtureFolder("bpe")), BenchData.StsTexts()),
            ("sts-b test (Unigram fixture)", TokenizerLoader.Load(BenchData.FixtureFolder("unigram")), BenchData.StsTexts()),
        };
        foreach (var (name, tokenizer, texts) in sets)
        {
            long tokens = Pass(tokenizer, texts); // warm-up, count
            for (int i = 0; i < 3; i++) Pass(tokenizer, texts);
            long runs = 0;
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed.TotalSeconds < seconds) { Pass(tokenizer, texts); runs++; }
            sw.Stop();
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Console.WriteLine($"{{\"set\": \"{name}\", \"texts\": {texts.Length}, \"tokens\": {tokens}, " +
                $"\"tokens_per_s\": {tokens * runs / sw.Elapsed.TotalSeconds:F0}, \"bytes_allocated_per_text\": {allocated / (runs * texts.Length)}}}");
        }
        return 0;
    }

    private static long Pass(ITokenizer tokenizer, string[] texts)
    {
        long n = 0;
        foreach (var t in texts) n += tokenizer.Encode(t, int.MaxValue).Length;
        return n;
    }
}
