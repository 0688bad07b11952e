using System.Buffers.Binary;
using System.Text.Json.Nodes;
using MLNet.Embeddings.Quantization;

namespace MLNet.Embeddings.Cli.Serving;

/// <summary>
/// How one vector goes into the response: <c>"encoding_format": "float"</c> (a JSON array; for quantised precisions the
/// integer codes) or <c>"base64"</c> (OpenAI's: little-endian float32 bytes; for quantised precisions the code bytes).
/// </summary>
internal static class EmbeddingFormat
{
    /// <summary>The JSON value of one vector.</summary>
    public static JsonNode Write(float[] vector, bool base64, EmbeddingPrecision precision, QuantizationRanges? ranges)
    {
        if (precision == EmbeddingPrecision.Float32)
        {
            if (!base64) return new JsonArray(vector.Select(x => (JsonNode)x).ToArray());
            var bytes = new byte[vector.Length * sizeof(float)];
            for (int i = 0; i < vector.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
            return Convert.ToBase64String(bytes);
        }
        var codes = EmbeddingQuantizer.Quantize(vector, precision, ranges);
        if (base64) return Convert.ToBase64String(codes);
        return new JsonArray(EmbeddingQuantizer.ToIntegers(codes, precision).Select(x => (JsonNode)x).ToArray());
    }
}
