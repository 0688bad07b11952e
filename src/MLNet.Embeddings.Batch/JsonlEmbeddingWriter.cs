using System.Buffers;
using System.Text.Json;
using MLNet.Embeddings.Quantization;

namespace MLNet.Embeddings.Training.Batch;

/// <summary>
/// One JSON object per line: <c>{"index": 0, "id": "a1", "embedding": [...]}</c> (no <c>id</c> without an id column;
/// with chunking, <c>"chunk"</c>, <c>"char_start"</c> and <c>"char_end"</c> after the id;
/// floats for float32, integers for int8/uint8 codes and packed binary bytes). A window is formatted in memory and
/// written with one call, then flushed, so the file only ever grows by whole windows of whole lines, apart from a
/// torn tail after a hard kill (which <see cref="BatchJob"/>'s resume cuts off).
/// </summary>
public sealed class JsonlEmbeddingWriter : EmbeddingWriter
{
    readonly Stream _stream;
    readonly ArrayBufferWriter<byte> _buffer = new(1 << 20);
    readonly Utf8JsonWriter _json;
    byte[] _codes = [];

    /// <summary>Writes to <paramref name="stream"/> (left open).</summary>
    public JsonlEmbeddingWriter(Stream stream, EmbeddingPrecision precision = EmbeddingPrecision.Float32, QuantizationRanges? ranges = null, bool includeId = false, bool includeChunks = false)
        : base(precision, ranges, includeId, includeChunks)
    {
        _stream = stream;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <inheritdoc/>
    public override void WriteWindow(IReadOnlyList<BatchRow> rows, IReadOnlyList<float[]> vectors)
    {
        _buffer.ResetWrittenCount();
        for (int i = 0; i < rows.Count; i++)
        {
            _json.Reset(_buffer);
            _json.WriteStartObject();
            _json.WriteNumber("index", rows[i].Index);
            if (IncludeId) _json.WriteString("id", rows[i].Id);
            if (IncludeChunks)
            {
                var chunk = rows[i].Chunk ?? throw new InvalidOperationException($"row {rows[i].Index} has no chunk; the writer was created for chunked rows.");
                _json.WriteNumber("chunk", chunk.Number);
                _json.WriteNumber("char_start", chunk.Start);
                _json.WriteNumber("char_end", chunk.End);
            }
            _json.WriteStartArray("embedding");
            WriteValues(vectors[i]);
            _json.WriteEndArray();
            _json.WriteEndObject();
            _json.Flush();
            _buffer.Write("\n"u8);
        }
        _stream.Write(_buffer.WrittenSpan);
        if (_stream is FileStream file) file.Flush(flushToDisk: true); else _stream.Flush();
    }

    void WriteValues(float[] vector)
    {
        if (Precision == EmbeddingPrecision.Float32) { foreach (var v in vector) _json.WriteNumberValue(v); return; }
        int n = EmbeddingQuantizer.BytesPerVector(vector.Length, Precision);
        if (_codes.Length < n) _codes = new byte[n];
        EmbeddingQuantizer.Quantize(vector, Precision, Ranges, _codes);
        bool signed = EmbeddingQuantizer.IsSigned(Precision);
        for (int j = 0; j < n; j++) _json.WriteNumberValue(signed ? (sbyte)_codes[j] : _codes[j]);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing) { if (disposing) _json.Dispose(); }
}
