using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using MLNet.Embeddings.Data;

namespace MLNet.Embeddings.Training.Data;

/// <summary>
/// Writes rows as JSONL in the seeds' format <c>{"query", "pos": [..], "neg": [..], "pos_scores", "neg_scores", "prompt", "type"}</c>
/// (<c>pos</c> and <c>neg</c> always lists; optional fields only when set; <c>score</c>/<c>label</c> of scored pairs and
/// every <see cref="TrainingExample.Extra"/> field after them), so <see cref="TrainingDataReader"/> reads back what was written.
/// The file is written atomically: rows go to a temporary file in the same folder that replaces the target only on
/// <see cref="Commit"/>; disposing without committing (e.g. after an exception) leaves the target untouched.
/// </summary>
public sealed class TrainingDataWriter : IDisposable
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly AtomicFile _file;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;

    /// <summary>Starts writing <paramref name="path"/> (through a temporary file).</summary>
    public TrainingDataWriter(string path)
    {
        Path = path;
        _file = new AtomicFile(path);
        _json = new Utf8JsonWriter(_buffer, Options);
    }

    /// <summary>The target file.</summary>
    public string Path { get; }

    /// <summary>Rows written so far.</summary>
    public long Count { get; private set; }

    /// <summary>Appends one row.</summary>
    public void Write(TrainingExample example)
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        WriteObject(_json, example);
        _json.Flush();
        _file.Stream.Write(_buffer.WrittenSpan);
        _file.Stream.WriteByte((byte)'\n');
        Count++;
    }

    /// <summary>Finishes the file: flushes and moves it over the target.</summary>
    public void Commit() => _file.Commit();

    /// <summary>Deletes the temporary file unless <see cref="Commit"/> was called.</summary>
    public void Dispose()
    {
        _json.Dispose();
        _file.Dispose();
    }

    /// <summary>Writes all rows to <paramref name="path"/> atomically; returns the number written.</summary>
    public static long WriteAll(string path, IEnumerable<TrainingExample> rows, CancellationToken cancellationToken = default)
    {
        using var w = new TrainingDataWriter(path);
        foreach (var r in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            w.Write(r);
        }
        w.Commit();
        return w.Count;
    }

    /// <summary>The JSONL line (without newline) for one row.</summary>
    public static string ToJson(TrainingExample example)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, Options)) WriteObject(json, example);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal static void WriteObject(Utf8JsonWriter json, TrainingExample e)
    {
        json.WriteStartObject();
        json.WriteString("query", e.Query);
        json.WriteStartArray("pos");
        foreach (var p in e.Pos) json.WriteStringValue(p);
        json.WriteEndArray();
        json.WriteStartArray("neg");
        foreach (var n in e.Neg) json.WriteStringValue(n);
        json.WriteEndArray();
        if (e.PosScores is not null) WriteFloats(json, "pos_scores", e.PosScores);
        if (e.NegScores is not null) WriteFloats(json, "neg_scores", e.NegScores);
        if (e.Prompt is not null) json.WriteString("prompt", e.Prompt);
        if (e.Type is not null) json.WriteString("type", e.Type);
        if (e.Score is { } s) json.WriteNumber("score", s);
        if (e.Label is { } l) json.WriteNumber("label", l);
        if (e.Extra is not null)
            foreach (var (k, v) in e.Extra)
            {
                json.WritePropertyName(k);
                v.WriteTo(json);
            }
        json.WriteEndObject();
    }

    private static void WriteFloats(Utf8JsonWriter json, string name, List<float> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values)
        {
            if (!float.IsFinite(v)) throw new ArgumentException($"field '{name}': non-finite score {v} cannot be written as JSON");
            json.WriteNumberValue(v);
        }
        json.WriteEndArray();
    }
}
