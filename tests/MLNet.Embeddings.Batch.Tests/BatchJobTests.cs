using System.Text.Json;
using MLNet.Embeddings.Quantization;
using MLNet.Embeddings.Training.Batch;

namespace MLNet.Embeddings.Batch.Tests;

public sealed class BatchJobTests : IDisposable
{
    readonly string _dir = TestPaths.TempDir();
    readonly SentenceEncoder _model;
    static readonly string[] Words = ["the", "cat", "sat", "mat", "dog", "ran", "far", "red"];

    public BatchJobTests()
    {
        var vectors = Path.Combine(_dir, "words.vec");
        var random = new Random(3);
        File.WriteAllLines(vectors, new[] { $"{Words.Length} 5" }.Concat(Words.Select(w => w + " " + string.Join(' ', Enumerable.Range(0, 5).Select(_ => (random.NextDouble() * 2 - 1).ToString("F4", System.Globalization.CultureInfo.InvariantCulture))))));
        _model = SentenceEncoder.Load(vectors);
    }

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    string Input(int rows, string name = "in.jsonl")
    {
        var random = new Random(rows);
        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, Enumerable.Range(0, rows).Select(i =>
            JsonSerializer.Serialize(new { id = $"doc-{i}", text = string.Join(' ', Enumerable.Range(0, random.Next(1, 8)).Select(_ => Words[random.Next(Words.Length)])) })));
        return path;
    }

    static List<JsonElement> Lines(string path) => File.ReadLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public void StreamsInWindowsInInputOrderWithIdsAndTheLibrarysVectors()
    {
        string input = Input(1000), output = Path.Combine(_dir, "out.jsonl");
        var summary = BatchJob.Run(_model, new BatchJobOptions { Input = input, Output = output, IdColumn = "id", Batch = new BatchOptions { WindowSize = 64 } });
        Assert.Equal(1000, summary.Rows);
        var texts = BatchInput.Read(input).Select(r => r.Text).ToList();
        var expected = _model.Encode(texts);
        var lines = Lines(output);
        Assert.Equal(1000, lines.Count);
        for (int i = 0; i < lines.Count; i++)
        {
            Assert.Equal(i, lines[i].GetProperty("index").GetInt32());
            Assert.Equal($"doc-{i}", lines[i].GetProperty("id").GetString());
            Assert.Equal(expected[i], lines[i].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray());
        }
        Assert.False(File.Exists(output + BatchJob.PartialSuffix));
        Assert.False(File.Exists(output + BatchJob.PartialSuffix + BatchJob.ProgressSuffix));
    }

    [Fact]
    public void ResumeAfterACancelledRunAndATornTailIsByteIdentical()
    {
        string input = Input(700), reference = Path.Combine(_dir, "ref.jsonl"), output = Path.Combine(_dir, "out.jsonl");
        BatchJob.Run(_model, new BatchJobOptions { Input = input, Output = reference, Batch = new BatchOptions { WindowSize = 50 } });

        // Stop after the 5th window, then append half a line as a kill -9 in the middle of a write would leave.
        using var cancel = new CancellationTokenSource();
        var progress = new Callback(done => { if (done >= 250) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            BatchJob.Run(_model, new BatchJobOptions { Input = input, Output = output, Batch = new BatchOptions { WindowSize = 50 } }, progress, cancel.Token));
        string partial = output + BatchJob.PartialSuffix;
        Assert.False(File.Exists(output));
        File.AppendAllText(partial, "{\"index\":250,\"embedding\":[0.1,");

        var summary = BatchJob.Run(_model, new BatchJobOptions { Input = input, Output = output, Resume = true, Batch = new BatchOptions { WindowSize = 50 } });
        Assert.True(summary.ResumedRows >= 250, $"resumed after {summary.ResumedRows}");
        Assert.Equal(700, summary.TotalRows);
        Assert.Equal(File.ReadAllBytes(reference), File.ReadAllBytes(output));

        var again = BatchJob.Run(_model, new BatchJobOptions { Input = input, Output = output, Resume = true, Batch = new BatchOptions { WindowSize = 50 } });
        Assert.True(again.AlreadyComplete);
    }

    [Fact]
    public void ResumeRefusesDifferentSettings()
    {
        string input = Input(300), output = Path.Combine(_dir, "out.jsonl");
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => BatchJob.Run(_model,
            new BatchJobOptions { Input = input, Output = output, Batch = new BatchOptions { WindowSize = 50 } }, new Callback(d => { if (d >= 100) cancel.Cancel(); }), cancel.Token));
        var ex = Assert.Throws<ConfigurationException>(() => BatchJob.Run(_model,
            new BatchJobOptions { Input = input, Output = output, Resume = true, Batch = new BatchOptions { WindowSize = 50, Precision = EmbeddingPrecision.Binary } }));
        Assert.Contains("precision", ex.Message);
    }

    [Fact]
    public void ShardsMergeIntoTheUnshardedOutput()
    {
        string input = Input(1003), whole = Path.Combine(_dir, "whole.jsonl");
        BatchJob.Run(_model, new BatchJobOptions { Input = input, Output = whole, IdColumn = "id", Batch = new BatchOptions { WindowSize = 100 } });
        var shards = Enumerable.Range(0, 4).Select(i => Path.Combine(_dir, $"shard-{i}.jsonl")).ToArray();
        long total = 0;
        for (int i = 0; i < 4; i++)
            total += BatchJob.Run(_model, new BatchJobOptions { Input = input, Output = shards[i], IdColumn = "id", Batch = new BatchOptions { WindowSize = 100, Shard = new ShardSpec(i, 4) } }).Rows;
        Assert.Equal(1003, total);
        Assert.Equal(251, File.ReadLines(shards[0]).Count()); // rows 0, 4, …, 1000
        Assert.Equal(250, File.ReadLines(shards[3]).Count());
        string merged = Path.Combine(_dir, "merged.jsonl");
        Assert.Equal(1003, ShardMerger.Merge(shards, merged));
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(merged));

        var ex = Assert.Throws<DatasetFormatException>(() => ShardMerger.Merge([shards[1], shards[0], shards[2], shards[3]], Path.Combine(_dir, "bad.jsonl")));
        Assert.Contains("expected row 0", ex.Message);
    }

    [Theory]
    [InlineData("0/0")]
    [InlineData("4/4")]
    [InlineData("a/2")]
    [InlineData("1")]
    public void ShardSpecRejectsBadValues(string text) =>
        Assert.StartsWith("--shard: ", Assert.Throws<ConfigurationException>(() => ShardSpec.Parse(text)).Message);

    [Theory]
    [InlineData(EmbeddingPrecision.Float32)]
    [InlineData(EmbeddingPrecision.Int8)]
    [InlineData(EmbeddingPrecision.UBinary)]
    public void ParquetRoundTripsThroughItsOwnReaderAndMatchesJsonl(EmbeddingPrecision precision)
    {
        // A Parquet input (written here with Parquet.Net) → embed → Parquet output, read back and compared with the JSONL output.
        string jsonl = Input(300), parquetIn = Path.Combine(_dir, "in.parquet");
        var rows = BatchInput.Read(jsonl, idColumn: "id").ToList();
        WriteTextParquet(parquetIn, rows);
        Assert.Equal(rows, BatchInput.Read(parquetIn, idColumn: "id").ToList());

        string calibration = Path.Combine(_dir, "ranges.json");
        var batch = new BatchOptions { WindowSize = 64, Precision = precision };
        string outJsonl = Path.Combine(_dir, "out.jsonl"), outParquet = Path.Combine(_dir, "out.parquet");
        BatchJob.Run(_model, new BatchJobOptions { Input = jsonl, Output = outJsonl, IdColumn = "id", CalibrationFile = calibration, Batch = batch });
        BatchJob.Run(_model, new BatchJobOptions { Input = parquetIn, Output = outParquet, IdColumn = "id", CalibrationFile = calibration, Batch = new BatchOptions { WindowSize = 64, Precision = precision } });
        Assert.Equal(precision == EmbeddingPrecision.Int8, File.Exists(calibration));

        var fromJsonl = Lines(outJsonl);
        var fromParquet = ReadEmbeddingParquet(outParquet, precision);
        Assert.Equal(fromJsonl.Count, fromParquet.Count);
        for (int i = 0; i < fromJsonl.Count; i++)
        {
            Assert.Equal(i, fromParquet[i].Index);
            Assert.Equal($"doc-{i}", fromParquet[i].Id);
            Assert.Equal(fromJsonl[i].GetProperty("embedding").EnumerateArray().Select(e => (double)e.GetSingle()).ToArray(), fromParquet[i].Values);
        }
    }

    static void WriteTextParquet(string path, List<BatchRow> rows)
    {
        var id = new Parquet.Schema.DataField<string>("id");
        var text = new Parquet.Schema.DataField<string>("text");
        using var stream = File.Create(path);
        var writer = Parquet.ParquetWriter.CreateAsync(new Parquet.Schema.ParquetSchema(id, text), stream).GetAwaiter().GetResult();
        foreach (var chunk in rows.Chunk(128)) // several row groups
        {
            using var group = writer.CreateRowGroup();
            group.WriteAsync(id, chunk.Select(r => r.Id).ToArray()).GetAwaiter().GetResult();
            group.WriteAsync(text, chunk.Select(r => r.Text).ToArray()).GetAwaiter().GetResult();
        }
        writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    static List<(long Index, string Id, double[] Values)> ReadEmbeddingParquet(string path, EmbeddingPrecision precision)
    {
        var result = new List<(long, string, double[])>();
        using var stream = File.OpenRead(path);
        var reader = Parquet.ParquetReader.CreateAsync(stream).GetAwaiter().GetResult();
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(EmbeddingQuantizer.Name(precision), reader.CustomMetadata["mlnet.precision"]);
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int n = (int)group.RowCount;
            var index = new long[n]; group.ReadAsync(fields[0], index.AsMemory()).GetAwaiter().GetResult();
            var ids = new string?[n]; group.ReadAsync(fields[1], ids.AsMemory()!).GetAwaiter().GetResult();
            var item = fields[2];
            double[] flat = precision switch
            {
                EmbeddingPrecision.Float32 => ReadList<float>(group, item).Select(x => (double)x).ToArray(),
                EmbeddingPrecision.Int8 => ReadList<sbyte>(group, item).Select(x => (double)x).ToArray(),
                _ => ReadList<byte>(group, item).Select(x => (double)x).ToArray(),
            };
            int per = flat.Length / n;
            for (int r = 0; r < n; r++) result.Add((index[r], ids[r]!, flat[(r * per)..((r + 1) * per)]));
        }
        reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return result;
    }

    static T[] ReadList<T>(Parquet.ParquetRowGroupReader group, Parquet.Schema.DataField field) where T : struct
    {
        long count = group.GetMetadata(field)!.MetaData!.NumValues;
        var values = new T[count];
        var definition = new int[count];
        var repetition = new int[count];
        group.ReadRawAsync(field, values.AsMemory(), definition.AsMemory(), repetition.AsMemory()).GetAwaiter().GetResult();
        Assert.All(definition, d => Assert.Equal(field.MaxDefinitionLevel, d)); // every list present, no null element
        Assert.Equal(group.RowCount, repetition.Count(r => r == 0));          // one list per row
        return values;
    }

    sealed class Callback(Action<long> action) : IProgress<long> { public void Report(long value) => action(value); }
}
