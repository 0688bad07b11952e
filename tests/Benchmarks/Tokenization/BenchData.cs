using System.Text.Json;

namespace MLNet.Embeddings.Benchmarks.Tokenization;

/// <summary>Texts for the tokenizer benchmarks, read from ../shared/data (the same sets tools/bench/hf_tokenizer_bench.js uses).</summary>
public static class BenchData
{
    public static string Shared(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MLNet.Embeddings.sln")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", relative));
        throw new InvalidOperationException("MLNet.Embeddings.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A tokenizer folder of the test fixtures (tests/MLNet.Embeddings.Tests/Fixtures/Tokenization/NAME: bpe, unigram).</summary>
    public static string FixtureFolder(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MLNet.Embeddings.sln")))
                return Path.Combine(dir.FullName, "tests", "MLNet.Embeddings.Tests", "Fixtures", "Tokenization", name);
        throw new InvalidOperationException("MLNet.Embeddings.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>sentence1 and sentence2 of every STS-B test row (2,758 texts).</summary>
    public static string[] StsTexts() => File.ReadLines(Shared("stsbenchmark/sts-test.csv"))
        .Where(l => l.Length > 0).Select(l => l.Split('\t')).SelectMany(f => new[] { f[5], f[6] }).ToArray();

    /// <summary>query and first positive of every row of the Chinese FlagEmbedding sample (5,402 texts).</summary>
    public static string[] ZhTexts() => File.ReadLines(Shared("zh/bge_finetune_data_zh.jsonl"))
        .Where(l => l.Length > 0).SelectMany(l =>
        {
            using var doc = JsonDocument.Parse(l);
            return new[] { doc.RootElement.GetProperty("query").GetString()!, doc.RootElement.GetProperty("pos")[0].GetString()! };
        }).ToArray();
}
