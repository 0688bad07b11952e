using System.Globalization;
using System.Text.Json;

namespace MLNet.Embeddings.Quantization;

/// <summary>
/// Per-dimension calibration ranges for <see cref="EmbeddingPrecision.Int8"/> and <see cref="EmbeddingPrecision.UInt8"/>:
/// the minimum and maximum of each dimension over a calibration set (sentence-transformers' <c>ranges</c>, a 2 × d array).
/// Save them with the vectors and reuse them for queries and later batches, or the codes are not comparable.
/// </summary>
public sealed class QuantizationRanges
{
    /// <summary>Creates ranges from per-dimension minima and maxima of equal length.</summary>
    public QuantizationRanges(float[] min, float[] max)
    {
        ArgumentNullException.ThrowIfNull(min);
        ArgumentNullException.ThrowIfNull(max);
        if (min.Length != max.Length || min.Length == 0)
            throw new ArgumentException($"min and max must have the same, non-zero length; found {min.Length} and {max.Length}.");
        Min = min; Max = max;
    }

    /// <summary>The minimum of each dimension.</summary>
    public float[] Min { get; }

    /// <summary>The maximum of each dimension.</summary>
    public float[] Max { get; }

    /// <summary>The number of dimensions.</summary>
    public int Dimensions => Min.Length;

    /// <summary>Number of calibration vectors the ranges were computed from (0 when unknown).</summary>
    public long Count { get; init; }

    /// <summary>The per-dimension minimum and maximum of <paramref name="embeddings"/> (at least one vector, all the same length).</summary>
    public static QuantizationRanges FromEmbeddings(IEnumerable<float[]> embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        float[]? min = null, max = null;
        long count = 0;
        foreach (var v in embeddings)
        {
            if (min is null) { min = (float[])v.Clone(); max = (float[])v.Clone(); }
            else
            {
                if (v.Length != min.Length) throw new ArgumentException($"embedding {count} has {v.Length} dimensions, the first one {min.Length}.");
                for (int i = 0; i < v.Length; i++)
                {
                    if (v[i] < min[i]) min[i] = v[i];
                    if (v[i] > max![i]) max[i] = v[i];
                }
            }
            count++;
        }
        if (min is null) throw new ArgumentException("no calibration embeddings given; need at least one.");
        return new QuantizationRanges(min, max!) { Count = count };
    }

    /// <summary>Writes the ranges as JSON (<c>{"dimensions": d, "count": n, "min": [...], "max": [...]}</c>) through a temp file and rename.</summary>
    public void Save(string path)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + $".{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = File.Create(temp))
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteNumber("dimensions", Dimensions);
                json.WriteNumber("count", Count);
                json.WriteStartArray("min"); foreach (var x in Min) json.WriteNumberValue(x); json.WriteEndArray();
                json.WriteStartArray("max"); foreach (var x in Max) json.WriteNumberValue(x); json.WriteEndArray();
                json.WriteEndObject();
            }
            File.Move(temp, full, overwrite: true);
        }
        finally { if (File.Exists(temp)) File.Delete(temp); }
    }

    /// <summary>Reads ranges written by <see cref="Save"/>; errors name the file and field.</summary>
    public static QuantizationRanges Load(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException(path, "calibration file not found.");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            float[] Read(string field)
            {
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(field, out var a) || a.ValueKind != JsonValueKind.Array)
                    throw new ModelFormatException(path, $"field '{field}': expected an array of numbers.");
                return a.EnumerateArray().Select(e => e.GetSingle()).ToArray();
            }
            var min = Read("min"); var max = Read("max");
            if (min.Length != max.Length || min.Length == 0)
                throw new ModelFormatException(path, $"'min' and 'max' must have the same non-zero length; found {min.Length} and {max.Length}.");
            long count = root.TryGetProperty("count", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt64() : 0;
            return new QuantizationRanges(min, max) { Count = count };
        }
        catch (JsonException ex) { throw new ModelFormatException(path, $"not valid JSON: {ex.Message}", ex); }
        catch (FormatException ex) { throw new ModelFormatException(path, $"expected numbers: {ex.Message}", ex); }
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"QuantizationRanges({Dimensions} dimensions, {Count} vectors)");
}
