using System.Text.Json;
using BatchScoringExample;
using Parquet;

namespace MLNet.Embeddings.Examples.Tests;

public sealed class BatchScoringExampleTests
{
    static string TempDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "mlnet-examples-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    [Fact]
    public void JsonlHasOneLinePerRowInInputOrderAndTheEncodersVectors()
    {
        string dir = TempDir();
        // quoted fields with commas and doubled quotes, and more rows than one window (8)
        var texts = Enumerable.Range(0, 21).Select(i => i % 5 == 0 ? $"revenue, net income and \"cash\" in year {2000 + i}" : $"the bank raised interest rates {i} times").ToList();
        string input = Path.Combine(dir, "in.csv");
        File.WriteAllLines(input, new[] { "text,id" }.Concat(texts.Select((t, i) => $"\"{t.Replace("\"", "\"\"")}\",row-{i}")));
        string output = Path.Combine(dir, "out.jsonl");

        var result = BatchScoringJob.Run(new BatchScoringOptions { InputPath = input, OutputPath = output, WindowSize = 8 }, TextWriter.Null);

        var lines = File.ReadAllLines(output);
        Assert.Equal(texts.Count, lines.Length);
        Assert.Equal(texts.Count, result.Rows);
        var encoder = SentenceEncoder.Load(BatchScoringJob.DefaultGlove);
        Assert.Equal(encoder.Dimensions, result.Dimensions);
        var expected = encoder.Encode(texts);
        for (int i = 0; i < lines.Length; i++)
        {
            using var doc = JsonDocument.Parse(lines[i]);
            Assert.Equal(i, doc.RootElement.GetProperty("index").GetInt64());
            Assert.Equal($"row-{i}", doc.RootElement.GetProperty("id").GetString());
            var vector = doc.RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Assert.Equal(encoder.Dimensions, vector.Length);
            Assert.Equal(expected[i], vector);
        }
        Assert.Empty(Directory.GetFiles(dir, "*.tmp-*"));
    }

    [Fact]
    public async Task GeneratedInputToParquetHasTheRequestedRowsInOrder()
    {
        string dir = TempDir();
        string output = Path.Combine(dir, "out.parquet");
        var result = BatchScoringJob.Run(new BatchScoringOptions { Rows = 50, OutputPath = output, WindowSize = 16 }, TextWriter.Null);
        Assert.Equal(50, result.Rows);

        await using var stream = File.OpenRead(output);
        await using var reader = await ParquetReader.CreateAsync(stream);
        Assert.Equal(result.Dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture), reader.CustomMetadata["mlnet.dimensions"]);
        var fields = reader.Schema.GetDataFields();
        var index = new List<long>();
        long values = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var part = new long[group.RowCount];
            await group.ReadAsync(fields.Single(f => f.Name == "index"), part.AsMemory());
            index.AddRange(part);
            values += group.GetMetadata(fields.Single(f => f.Path.ToString().Contains("embedding")))!.MetaData!.NumValues;
        }
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), index);
        Assert.Equal(50L * result.Dimensions, values);
        Assert.Equal(4, reader.RowGroupCount); // 16 + 16 + 16 + 2: one row group per window
        // the generated input: a header, then the financial-qa-10K contexts as rows r0, r1, ...
        Assert.Equal(51, File.ReadLines(result.InputPath).Count());
        Assert.StartsWith("r0,\"", File.ReadLines(result.InputPath).Skip(1).First());
    }

    [Fact]
    public void CancellingWritesNothingAndLeavesNoTempFile()
    {
        string dir = TempDir();
        string output = Path.Combine(dir, "out.jsonl");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            BatchScoringJob.Run(new BatchScoringOptions { Rows = 40, OutputPath = output, WindowSize = 8 }, TextWriter.Null, cts.Token));
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp-*"));
    }
}
