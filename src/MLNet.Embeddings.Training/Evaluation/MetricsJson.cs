using System.Text;
using System.Text.Json;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// Writes metric dictionaries as JSON objects whose keys are exactly the metric names (NaN and infinities become
/// <c>null</c>, since JSON has no such numbers), and reads them back.
/// </summary>
public static class MetricsJson
{
    /// <summary><c>{"ndcg@10": 0.41, ...}</c>, indented, in the dictionary's order.</summary>
    public static string Serialize(IReadOnlyDictionary<string, double> metrics)
        => Write(w => WriteObject(w, metrics));

    /// <summary><c>{"baseline": {...}, "model": {...}}</c>.</summary>
    public static string Serialize(IReadOnlyDictionary<string, double> baseline, IReadOnlyDictionary<string, double> model)
        => Write(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("baseline"); WriteObject(w, baseline);
            w.WritePropertyName("model"); WriteObject(w, model);
            w.WriteEndObject();
        });

    /// <summary>Parses a flat metrics object (null values read as NaN).</summary>
    public static Dictionary<string, double> Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return ReadObject(doc.RootElement);
    }

    internal static Dictionary<string, double> ReadObject(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new FormatException($"Expected a JSON object of metrics, found {element.ValueKind}.");
        var result = new Dictionary<string, double>();
        foreach (var p in element.EnumerateObject())
            result[p.Name] = p.Value.ValueKind switch
            {
                JsonValueKind.Number => p.Value.GetDouble(),
                JsonValueKind.Null => double.NaN,
                _ => throw new FormatException($"Metric '{p.Name}': expected a number, found {p.Value.ValueKind}."),
            };
        return result;
    }

    private static void WriteObject(Utf8JsonWriter w, IReadOnlyDictionary<string, double> metrics)
    {
        w.WriteStartObject();
        foreach (var (name, value) in metrics)
        {
            if (double.IsFinite(value)) w.WriteNumber(name, value);
            else w.WriteNull(name);
        }
        w.WriteEndObject();
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            body(w);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
