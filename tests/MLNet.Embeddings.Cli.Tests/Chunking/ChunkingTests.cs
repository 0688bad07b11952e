using System.Text.Json;
using MLNet.Embeddings.Chunking;
using MLNet.Embeddings.Training.Batch;
using Parquet;

namespace MLNet.Embeddings.Cli.Tests.Chunking;

/// <summary>TextChunker on the tiny BERT fixture (WordPiece, CJK characters split one per token), embed --chunk-tokens, truncation counts.</summary>
[Collection("Console")]
public sealed class ChunkingTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cli-chunk-").FullName;
    readonly SentenceEncoder _model = SentenceEncoder.Load(Bert());

    public void Dispose() => Directory.Delete(_dir, true);

    static string Bert()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "MLNet.Embeddings.sln"))) root = Path.GetDirectoryName(root)!;
        return Path.Combine(root, "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu");
    }

    const string English = "The university was founded in the city, and people said that it was new. Later, the school had more students than any other; "
        + "during the war it was used by the state. Unbelievably, the national government took over after three years.";
    const string Chinese = "我们的新手机有更大的屏幕。公司的销售额增长了很多，因为市场需求强劲。明年我们计划在三个新城市开设商店。";

    (int Start, int End)[] Tokens(string text) => _model.Tokenizer.Encode(text, int.MaxValue, addSpecialTokens: false).Offsets;

    [Theory]
    [InlineData(English, 10, 0)]
    [InlineData(English, 10, 4)]
    [InlineData(English, 7, 3)]
    [InlineData(Chinese, 8, 0)]
    [InlineData(Chinese, 8, 3)]
    public void ChunksEndOnWordBoundariesOverlapAsAskedAndCoverEveryToken(string text, int size, int overlap)
    {
        var chunker = TextChunker.For(_model, size, overlap);
        var chunks = chunker.Split(text);
        var tokens = Tokens(text);
        Assert.True(chunks.Count > 2, $"{chunks.Count} chunks");
        var covered = new bool[tokens.Length];
        int previousFirst = -1, previousLast = -1;
        for (int c = 0; c < chunks.Count; c++)
        {
            var chunk = chunks[c];
            Assert.Equal(c, chunk.Number);
            Assert.Equal(text[chunk.Start..chunk.End], chunk.Text); // offsets map back to the source
            // the tokens inside the span
            var inside = Enumerable.Range(0, tokens.Length).Where(i => tokens[i].Start >= chunk.Start && tokens[i].End <= chunk.End).ToArray();
            Assert.Equal(chunk.Tokens, inside.Length);
            Assert.True(inside.Length <= size, $"chunk {c} has {inside.Length} tokens");
            Assert.Equal(inside[^1] - inside[0] + 1, inside.Length); // contiguous
            foreach (int i in inside) covered[i] = true;
            // word boundaries: the chunk neither starts nor ends inside a word
            Assert.True(chunk.Start == 0 || !char.IsLetterOrDigit(text[chunk.Start - 1]) || !char.IsLetterOrDigit(text[chunk.Start]) || IsCjk(text[chunk.Start]),
                $"chunk {c} starts inside a word: …{text[Math.Max(0, chunk.Start - 5)..chunk.Start]}|{chunk.Text[..Math.Min(5, chunk.Text.Length)]}");
            Assert.True(chunk.End == text.Length || !char.IsLetterOrDigit(text[chunk.End - 1]) || !char.IsLetterOrDigit(text[chunk.End]) || IsCjk(text[chunk.End - 1]),
                $"chunk {c} ends inside a word: {chunk.Text[^Math.Min(5, chunk.Text.Length)..]}|{text[chunk.End..Math.Min(text.Length, chunk.End + 5)]}");
            if (c > 0)
            {
                int shared = Math.Max(0, previousLast - inside[0] + 1);
                Assert.True(shared <= overlap, $"chunks {c - 1} and {c} share {shared} tokens; overlap {overlap}");
                if (overlap == 0) Assert.Equal(previousLast + 1, inside[0]);
                Assert.True(inside[0] > previousFirst); // progress
            }
            (previousFirst, previousLast) = (inside[0], inside[^1]);
        }
        Assert.All(covered, Assert.True);
        if (overlap > 0 && text == English) Assert.Contains(chunks.Skip(1), c => c.Start < chunks[c.Number - 1].End); // overlap happened
    }

    static bool IsCjk(char c) => c is >= '\u4E00' and <= '\u9FFF' || c is >= '\u3000' and <= '\u303F' || c is >= '\uFF00' and <= '\uFFEF';

    [Fact]
    public void ChineseIsSplitBetweenCharacters()
    {
        var chunks = TextChunker.For(_model, 8).Split(Chinese);
        Assert.Equal(Chinese, string.Concat(chunks.Select(c => c.Text)));
        Assert.All(chunks, c => Assert.Equal(8, Math.Max(c.Tokens, 8))); // ≤ 8 each
        Assert.True(chunks.Count >= Chinese.Length / 8);
    }

    [Fact]
    public void AShortTextIsOneChunkAndAnEmptyTextToo()
    {
        Assert.Equal(new TextChunk(0, 0, 11, "hello world", 2), Assert.Single(TextChunker.For(_model, 10).Split("hello world")));
        Assert.Equal(new TextChunk(0, 0, 0, "", 0), Assert.Single(TextChunker.For(_model, 10).Split("")));
        Assert.Throws<ConfigurationException>(() => TextChunker.For(_model, 4, 4));
    }

    [Fact]
    public void TruncatedTextsAreCounted()
    {
        int limit = _model.EffectiveMaxLength();
        string longText = string.Join(' ', Enumerable.Repeat("the city", limit)); // 2 × limit words
        string justFits = string.Join(' ', Enumerable.Repeat("the", limit - 2)); // + [CLS] [SEP] = limit
        string oneOver = string.Join(' ', Enumerable.Repeat("the", limit - 1));
        long before = _model.Statistics.TruncatedTexts, texts = _model.Statistics.Texts;
        var vectors = _model.Encode(new[] { "hello", longText, justFits, oneOver, "" });
        Assert.Equal(2, _model.Statistics.TruncatedTexts - before);
        Assert.Equal(5, _model.Statistics.Texts - texts);
        // truncation counting does not change the vectors: the long text embeds as its first limit tokens
        var cut = _model.Tokenize(longText);
        Assert.Equal(limit, cut.Length);
        Assert.Equal(_model.Encode(new[] { oneOver })[0], vectors[3]);
        before = _model.Statistics.TruncatedTexts;
        _model.Encode(new[] { "the the the the" }, new EncodeOptions { MaxLength = 4 });
        Assert.Equal(1, _model.Statistics.TruncatedTexts - before);
    }

    [Fact]
    public async Task EmbedChunkTokensWritesChunkRowsToJsonlAndParquetAndCountsTruncation()
    {
        string input = Path.Combine(_dir, "texts.jsonl");
        string longText = string.Join(' ', Enumerable.Repeat(English, 3));
        var texts = new[] { "hello world", longText, Chinese };
        File.WriteAllLines(input, texts.Select(t => JsonSerializer.Serialize(new { text = t })));

        // whole texts: the long one is truncated, and the summary says so
        var (code, _, stderr) = ConsoleRun.Cli("embed", "--model", Bert(), "--input", input, "--output", Path.Combine(_dir, "whole.jsonl"));
        Assert.True(code == 0, stderr);
        Assert.Contains("embed: 1 of 3 texts were longer than 64 tokens and were truncated", stderr);

        string jsonl = Path.Combine(_dir, "chunks.jsonl"), parquet = Path.Combine(_dir, "chunks.parquet");
        (code, _, stderr) = ConsoleRun.Cli("embed", "--model", Bert(), "--input", input, "--output", jsonl, "--chunk-tokens", "20", "--chunk-overlap", "5");
        Assert.True(code == 0, stderr);
        Assert.Contains("no text was truncated", stderr);
        (code, _, stderr) = ConsoleRun.Cli("embed", "--model", Bert(), "--input", input, "--output", parquet, "--chunk-tokens", "20", "--chunk-overlap", "5");
        Assert.True(code == 0, stderr);

        var chunker = TextChunker.For(_model, 20, 5);
        var expected = texts.SelectMany((t, i) => chunker.Split(t).Select(c => (Index: (long)i, Chunk: c))).ToArray();
        var vectors = _model.Encode(expected.Select(e => e.Chunk.Text).ToArray());
        var rows = File.ReadAllLines(jsonl).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(expected.Length, rows.Length);
        Assert.True(expected.Length > 6);

        using var stream = File.OpenRead(parquet);
        var reader = await ParquetReader.CreateAsync(stream);
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(new[] { "index", "chunk", "char_start", "char_end", "element" }, fields.Select(f => f.Name).ToArray());
        var columns = new List<long>(); var numbers = new List<int>(); var starts = new List<int>(); var ends = new List<int>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int n = (int)group.RowCount;
            var index = new long[n]; await group.ReadAsync(fields[0], index.AsMemory());
            var number = new int[n]; await group.ReadAsync(fields[1], number.AsMemory());
            var start = new int[n]; await group.ReadAsync(fields[2], start.AsMemory());
            var end = new int[n]; await group.ReadAsync(fields[3], end.AsMemory());
            columns.AddRange(index); numbers.AddRange(number); starts.AddRange(start); ends.AddRange(end);
        }
        for (int r = 0; r < expected.Length; r++)
        {
            var (index, chunk) = expected[r];
            Assert.Equal(index, rows[r].GetProperty("index").GetInt64());
            Assert.Equal(chunk.Number, rows[r].GetProperty("chunk").GetInt32());
            int start = rows[r].GetProperty("char_start").GetInt32(), end = rows[r].GetProperty("char_end").GetInt32();
            Assert.Equal(chunk.Text, texts[index][start..end]);
            Assert.Equal(vectors[r], rows[r].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray());
            Assert.Equal((index, chunk.Number, start, end), (columns[r], numbers[r], starts[r], ends[r]));
        }
    }

    [Fact]
    public void ChunkTokensLargerThanTheModelFitsIsRefused()
    {
        string input = Path.Combine(_dir, "t.txt");
        File.WriteAllText(input, "hello\n");
        var (code, _, stderr) = ConsoleRun.Cli("embed", "--model", Bert(), "--input", input, "--chunk-tokens", "100");
        Assert.Equal(1, code);
        Assert.Contains("--chunk-tokens", stderr);
        Assert.Contains("at most 62", stderr);
    }

    [Fact]
    public void BatchJobSummaryCountsTruncatedTextsAndChunks()
    {
        string input = Path.Combine(_dir, "texts.txt");
        File.WriteAllLines(input, new[] { "hello", string.Join(' ', Enumerable.Repeat(English, 2)) });
        var whole = BatchJob.Run(_model, new BatchJobOptions { Input = input, Output = Path.Combine(_dir, "a.jsonl") });
        Assert.Equal(1, whole.TruncatedTexts);
        Assert.Equal(2, whole.OutputRows);
        var chunked = BatchJob.Run(_model, new BatchJobOptions { Input = input, Output = Path.Combine(_dir, "b.jsonl"), Batch = new BatchOptions { ChunkTokens = 30 } });
        Assert.Equal(0, chunked.TruncatedTexts);
        Assert.Equal(2, chunked.Rows);
        Assert.Equal(1 + TextChunker.For(_model, 30).Split(string.Join(' ', Enumerable.Repeat(English, 2))).Count, chunked.OutputRows);
    }
}
