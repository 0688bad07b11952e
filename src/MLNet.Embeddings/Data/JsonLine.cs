using System.Text.Json;

namespace MLNet.Embeddings.Data;

/// <summary>One row of a JSON Lines file (<see cref="JsonLinesReader"/>): where it is and its object, with typed field reads.</summary>
public readonly struct JsonLine
{
    /// <summary>A row of <paramref name="path"/> at 1-based line <paramref name="number"/>.</summary>
    public JsonLine(string path, int number, JsonElement row) { Path = path; Number = number; Row = row; }

    /// <summary>The file (or the name given for a stream).</summary>
    public string Path { get; }
    /// <summary>1-based line number.</summary>
    public int Number { get; }
    /// <summary>The row's object.</summary>
    public JsonElement Row { get; }

    /// <summary>An error about <paramref name="field"/> (or the row when null) on this line: <c>file:line: field 'x': message</c>.</summary>
    public DatasetFormatException Error(string? field, string message) => new(Path, Number, field, message);

    /// <summary>The field <paramref name="field"/>, when present (a null value counts as present).</summary>
    public bool TryGet(string field, out JsonElement value) => Row.TryGetProperty(field, out value);

    /// <summary>The string field <paramref name="field"/>; when it is missing the error says <paramref name="missing"/>.</summary>
    /// <exception cref="DatasetFormatException">The field is missing, not a string, or not valid Unicode text.</exception>
    public string String(string field, string missing = "field is missing.")
    {
        if (!TryGet(field, out var value)) throw Error(field, missing);
        return Text(value, field);
    }

    /// <summary>The text of a string value read from <paramref name="field"/>.</summary>
    /// <exception cref="DatasetFormatException">The value is not a string, or holds an unpaired surrogate.</exception>
    public string Text(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.String) throw Error(field, $"expected a string, found {Kind(value)}.");
        try { return value.GetString()!; }
        catch (InvalidOperationException) { throw Error(field, "not valid Unicode text (an unpaired UTF-16 surrogate such as \\ud800)."); }
    }

    /// <summary>The row's field names, comma-separated (for "this row has: …" messages).</summary>
    public string Fields => string.Join(", ", Row.EnumerateObject().Select(p => p.Name));

    /// <summary>How a JSON value reads in a message: "an object", "an array", "a string", "a number", "a boolean", "null".</summary>
    public static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => value.ValueKind.ToString(),
    };
}
