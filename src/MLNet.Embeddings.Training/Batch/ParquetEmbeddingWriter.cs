using MLNet.Embeddings.Quantization;
using Parquet;
using Parquet.Schema;

namespace MLNet.Embeddings.Training.Batch;

/// <summary>
/// Apache Parquet with one row group per window: <c>index</c> (int64), <c>id</c> (string, with an id column) and
/// <c>embedding</c>, a LIST column of float (float32), int8 (int8, binary) or uint8 (uint8, ubinary) values. pyarrow
/// reads the list column as <c>list&lt;float&gt;</c> / <c>list&lt;int8&gt;</c> / <c>list&lt;uint8&gt;</c>. The file's
/// key-value metadata records <c>mlnet.precision</c> and <c>mlnet.dimensions</c>. The footer is written by <see cref="Complete"/>.
/// </summary>
public sealed class ParquetEmbeddingWriter : EmbeddingWriter
{
    readonly Stream _stream;
    readonly DataField<long> _index = new("index");
    readonly DataField<string> _id = new("id");
    readonly ListField _embedding;
    readonly ParquetWriter _writer;
    readonly Dictionary<string, string> _metadata = new();
    bool _completed;

    /// <summary>Writes to <paramref name="stream"/> (seekable; left open).</summary>
    public ParquetEmbeddingWriter(Stream stream, EmbeddingPrecision precision = EmbeddingPrecision.Float32, QuantizationRanges? ranges = null, bool includeId = false)
        : base(precision, ranges, includeId)
    {
        _stream = stream;
        Type element = precision switch
        {
            EmbeddingPrecision.Float32 => typeof(float),
            EmbeddingPrecision.Int8 or EmbeddingPrecision.Binary => typeof(sbyte),
            _ => typeof(byte),
        };
        _embedding = new ListField("embedding", new DataField("element", element, isNullable: false));
        var schema = includeId ? new ParquetSchema(_index, _id, _embedding) : new ParquetSchema(_index, _embedding);
        _writer = BatchInput.Wait(ParquetWriter.CreateAsync(schema, stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }));
        _metadata["mlnet.precision"] = EmbeddingQuantizer.Name(precision);
        _writer.CustomMetadata = _metadata;
    }

    /// <inheritdoc/>
    public override void WriteWindow(IReadOnlyList<BatchRow> rows, IReadOnlyList<float[]> vectors)
    {
        if (rows.Count == 0) return;
        int values = EmbeddingQuantizer.ValuesPerVector(vectors[0].Length, Precision);
        _metadata["mlnet.dimensions"] = vectors[0].Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _writer.CustomMetadata = _metadata;
        var repetition = new int[rows.Count * values];
        for (int r = 0; r < rows.Count; r++)
            for (int j = 1; j < values; j++) repetition[r * values + j] = 1;
        using var group = _writer.CreateRowGroup();
        BatchInput.Wait(group.WriteAsync<long>(_index, rows.Select(r => r.Index).ToArray()));
        if (IncludeId) BatchInput.Wait(group.WriteAsync(_id, rows.Select(r => r.Id).ToArray()!));
        var item = (DataField)_embedding.Item;
        var definition = new int[repetition.Length];
        Array.Fill(definition, item.MaxDefinitionLevel); // every list present, every element set
        switch (Precision)
        {
            case EmbeddingPrecision.Float32:
                var floats = new float[rows.Count * values];
                for (int r = 0; r < rows.Count; r++) vectors[r].CopyTo(floats, r * values);
                BatchInput.Wait(group.WriteAllPartsAsync<float>(item, floats, definition, repetition, CancellationToken.None));
                break;
            default:
                var bytes = new byte[rows.Count * values];
                for (int r = 0; r < rows.Count; r++) EmbeddingQuantizer.Quantize(vectors[r], Precision, Ranges, bytes.AsSpan(r * values, values));
                if (EmbeddingQuantizer.IsSigned(Precision))
                    BatchInput.Wait(group.WriteAllPartsAsync<sbyte>(item, bytes.Select(b => (sbyte)b).ToArray(), definition, repetition, CancellationToken.None));
                else
                    BatchInput.Wait(group.WriteAllPartsAsync<byte>(item, bytes, definition, repetition, CancellationToken.None));
                break;
        }
    }

    /// <inheritdoc/>
    public override void Complete()
    {
        if (_completed) return;
        _completed = true;
        BatchInput.Wait(_writer.DisposeAsync());
        _stream.Flush();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_completed) { _completed = true; try { BatchInput.Wait(_writer.DisposeAsync()); } catch (IOException) { } }
    }
}
