using System.Text.Json;
using DuckDB.NET.Data;
using MLNet.Embeddings.Quantization;
using MLNet.Embeddings.Training.Batch;
using Xunit.Abstractions;

namespace MLNet.Embeddings.Batch.Tests;

/// <summary>
/// The Parquet output read by an independent implementation: DuckDB (its own C++ Parquet reader, through DuckDB.NET).
/// Checks the column names and types a reader sees, one row group per window, the key-value metadata and every value
/// against the JSONL output of the same job. (pyarrow is not installable on the build machines; docs/batch.md says
/// what it maps these Parquet types to.)
/// </summary>
public sealed class ParquetDuckDbTests(ITestOutputHelper log) : IDisposable
{
    readonly string _dir = TestPaths.TempDir();

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    [Theory]
    [InlineData(EmbeddingPrecision.Float32, "FLOAT[]", "FLOAT")]
    [InlineData(EmbeddingPrecision.Int8, "TINYINT[]", "INT32/INT_8")]
    [InlineData(EmbeddingPrecision.UInt8, "UTINYINT[]", "INT32/UINT_8")]
    [InlineData(EmbeddingPrecision.Binary, "TINYINT[]", "INT32/INT_8")]
    [InlineData(EmbeddingPrecision.UBinary, "UTINYINT[]", "INT32/UINT_8")]
    public void DuckDbReadsTheSchemaRowGroupsMetadataAndValues(EmbeddingPrecision precision, string listType, string elementType)
    {
        var vectors = Path.Combine(_dir, "words.vec");
        string[] words = ["revenue", "grew", "cloud", "demand", "margin", "fell", "cash", "debt", "rain", "storm", "sales", "costs"];
        var random = new Random(7);
        File.WriteAllLines(vectors, new[] { $"{words.Length} 20" }.Concat(words.Select(w => w + " " + string.Join(' ', Enumerable.Range(0, 20).Select(_ => (random.NextDouble() * 2 - 1).ToString("F4", System.Globalization.CultureInfo.InvariantCulture))))));
        var model = SentenceEncoder.Load(vectors);
        string input = Path.Combine(_dir, "in.jsonl");
        File.WriteAllLines(input, Enumerable.Range(0, 250).Select(i => JsonSerializer.Serialize(new { id = $"doc-{i}", text = string.Join(' ', Enumerable.Range(0, random.Next(1, 9)).Select(_ => words[random.Next(words.Length)])) })));
        string parquet = Path.Combine(_dir, "out.parquet"), jsonl = Path.Combine(_dir, "out.jsonl"), ranges = Path.Combine(_dir, "ranges.json");
        foreach (var output in new[] { jsonl, parquet })
            BatchJob.Run(model, new BatchJobOptions { Input = input, Output = output, IdColumn = "id", CalibrationFile = ranges, Batch = new BatchOptions { WindowSize = 64, Precision = precision } });

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        List<object?[]> Query(string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            var rows = new List<object?[]>();
            while (reader.Read()) rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i)).ToArray());
            return rows;
        }
        string file = parquet.Replace("'", "''");

        var columns = Query($"DESCRIBE SELECT * FROM '{file}'").Select(r => $"{r[0]} {r[1]}").ToList();
        log.WriteLine($"{EmbeddingQuantizer.Name(precision)}: {string.Join(", ", columns)}");
        Assert.Equal(new[] { "index BIGINT", "id VARCHAR", $"embedding {listType}" }, columns);

        log.WriteLine("  parquet_schema: " + string.Join("; ", Query($"SELECT name, type, repetition_type, converted_type, logical_type FROM parquet_schema('{file}')").Select(r => string.Join(' ', r.Where(v => v is not null)))));
        // The leaf's physical and logical type, which is what pyarrow maps to int8 / uint8 / float.
        var leaf = Query($"SELECT type, converted_type FROM parquet_schema('{file}') WHERE name = 'element'").Single();
        Assert.Equal(elementType, leaf[1] is null ? $"{leaf[0]}" : $"{leaf[0]}/{leaf[1]}");

        Assert.Equal(4L, Convert.ToInt64(Query($"SELECT count(DISTINCT row_group_id) FROM parquet_metadata('{file}')").Single()[0])); // 250 rows, windows of 64
        var metadata = Query($"SELECT decode(key), decode(value) FROM parquet_kv_metadata('{file}')").ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(EmbeddingQuantizer.Name(precision), metadata["mlnet.precision"]);
        Assert.Equal("20", metadata["mlnet.dimensions"]);

        var expected = File.ReadLines(jsonl).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var rows = Query($"SELECT index, id, embedding FROM '{file}' ORDER BY index");
        Assert.Equal(expected.Count, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal((long)i, Convert.ToInt64(rows[i][0]));
            Assert.Equal($"doc-{i}", rows[i][1]);
            var values = ((System.Collections.IEnumerable)rows[i][2]!).Cast<object>().Select(Convert.ToDouble).ToArray();
            Assert.Equal(expected[i].GetProperty("embedding").EnumerateArray().Select(e => (double)e.GetSingle()).ToArray(), values);
        }
    }
}
