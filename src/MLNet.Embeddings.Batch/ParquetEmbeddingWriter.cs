using MLNet.Embeddings.Quantization;
using Parquet;
using Parquet.Schema;

namespace MLNet.Embeddings.Training.Batch;

/// <summary>
/// Apache Parquet with one row group per window: <c>index</c> (int64), <c>id</c> (string, with an id column),
/// <c>chunk</c>, <c>char_start</c>, <c>char_end</c> (int32, with chunking) and
/// <c>embedding</c>, a LIST column of float (float32), int8 (int8, binary) or uint8 (uint8, ubinary) values. pyarrow
/// reads the list column as <c>list&lt;float&gt;</c> / <c>list&lt;int8&gt;</c> / <c>list&lt;uint8&gt;</c>. The file's
/// key-value metadata records <c>mlnet.precision</c> and <c>mlnet.dimensions</c>. The footer is written by <see cref="Complete"/>.
/// </summary>
public sealed class ParquetEmbeddingWriter : EmbeddingWriter
{
    readonly Stream _stream;
    readonly DataField<long> _index = new("index");
    readonly DataField<string> _id = new("id");
    readonly DataField<int> _chunk = new("chunk"), _start = new("char_start"), _end = new("char_end");
    readonly ListField _embedding;
    readonly ParquetWriter _writer;
    readonly Dictionary<string, string> _metadata = new();
    bool _completed;

    /// <summary>Writes to <paramref name="stream"/> (seekable; left open).</summary>
    public ParquetEmbeddingWriter(Stream stream, EmbeddingPrecision precision = EmbeddingPrecision.Float32, QuantizationRanges? ranges = null, bool includeId = false, bool includeChunks = false)
        : base(precision, ranges, includeId, includeChunks)
    {
        _stream = stream;
        Type element = precision switch
        {
            EmbeddingPrecision.Float32 => typeof(float),
            EmbeddingPrecision.Int8 or EmbeddingPrecision.Binary => typeof(sbyte),
            _ => typeof(byte),
        };
        _embedding = new ListField("embedding", new DataField("element", element, isNullable: false));
        var fields = new List<Field> { _index };
        if (includeId) fields.Add(_id);
        if (includeChunks) fields.AddRange(new Field[] { _chunk, _start, _end });
        fields.Add(_embedding);
        var schema = new ParquetSchema(fields);
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
        int n = rows.Count * values;
        var item = (DataField)_embedding.Item;
        Levels(rows.Count, values, item.MaxDefinitionLevel);
        Grow(ref _indexes, rows.Count);
        for (int r = 0; r < rows.Count; r++) _indexes[r] = rows[r].Index;
        using var group = _writer.CreateRowGroup();
        BatchInput.Wait(group.WriteAsync<long>(_index, _indexes.AsMemory(0, rows.Count)));
        if (IncludeId) BatchInput.Wait(group.WriteAsync(_id, rows.Select(r => r.Id).ToArray()!));
        if (IncludeChunks)
        {
            var chunks = rows.Select(r => r.Chunk ?? throw new InvalidOperationException($"row {r.Index} has no chunk; the writer was created for chunked rows.")).ToArray();
            BatchInput.Wait(group.WriteAsync<int>(_chunk, chunks.Select(c => c.Number).ToArray()));
            BatchInput.Wait(group.WriteAsync<int>(_start, chunks.Select(c => c.Start).ToArray()));
            BatchInput.Wait(group.WriteAsync<int>(_end, chunks.Select(c => c.End).ToArray()));
        }
        ReadOnlyMemory<int> definition = _definition.AsMemory(0, n), repetition = _repetition.AsMemory(0, n);
        switch (Precision)
        {
            case EmbeddingPrecision.Float32:
                Grow(ref _floats, n);
                for (int r = 0; r < rows.Count; r++) vectors[r].CopyTo(_floats, r * values);
                BatchInput.Wait(group.WriteAllPartsAsync<float>(item, _floats.AsMemory(0, n), definition, repetition, CancellationToken.None));
                break;
            case EmbeddingPrecision.Int8 or EmbeddingPrecision.Binary:
                Grow(ref _signed, n);
                for (int r = 0; r < rows.Count; r++)
                    EmbeddingQuantizer.Quantize(vectors[r], Precision, Ranges, System.Runtime.InteropServices.MemoryMarshal.AsBytes(_signed.AsSpan(r * values, values)));
                BatchInput.Wait(group.WriteAllPartsAsync<sbyte>(item, _signed.AsMemory(0, n), definition, repetition, CancellationToken.None));
                break;
            default:
                Grow(ref _bytes, n);
                for (int r = 0; r < rows.Count; r++) EmbeddingQuantizer.Quantize(vectors[r], Precision, Ranges, _bytes.AsSpan(r * values, values));
                BatchInput.Wait(group.WriteAllPartsAsync<byte>(item, _bytes.AsMemory(0, n), definition, repetition, CancellationToken.None));
                break;
        }
    }

    // The window's buffers are kept and reused: a fresh set per window is several large-object-heap arrays
    // (1.6 MB each for 4,096 × 100 floats) that only a full GC gives back.
    long[] _indexes = [];
    float[] _floats = [];
    sbyte[] _signed = [];
    byte[] _bytes = [];
    int[] _definition = [], _repetition = [];
    int _levelsRows, _levelsValues;

    /// <summary>Definition levels (every list present, every element set) and repetition levels (0 starts a row's list).</summary>
    void Levels(int rows, int values, int maxDefinition)
    {
        if (rows <= _levelsRows && values == _levelsValues) return;
        _definition = new int[rows * values];
        Array.Fill(_definition, maxDefinition);
        _repetition = new int[rows * values];
        for (int r = 0; r < rows; r++)
            for (int j = 1; j < values; j++) _repetition[r * values + j] = 1;
        (_levelsRows, _levelsValues) = (rows, values);
    }

    static void Grow<T>(ref T[] buffer, int length) { if (buffer.Length < length) buffer = new T[length]; }

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
