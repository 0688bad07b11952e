using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNet.Embeddings.Models;

/// <summary>
/// How a fine-tuned model was made: base model, training data (files, rows, sha256), loss and hyper-parameters, steps
/// and time, evaluation before and after, library version. Saved next to the weights as <c>model_card.json</c>
/// (the metadata, read back by <see cref="Read"/> and printed by <c>mlnet-embed info --model DIR</c>) and rendered
/// from it into <c>README.md</c> (the human card, with a YAML header as sentence-transformers writes one).
/// </summary>
public sealed class ModelCard
{
    /// <summary>The metadata file in a model folder.</summary>
    public const string FileName = "model_card.json";
    /// <summary>The rendered card in a model folder.</summary>
    public const string ReadmeName = "README.md";

    /// <summary>Version of MLNet.Embeddings that wrote the card.</summary>
    public string? LibraryVersion { get; set; } = typeof(ModelCard).Assembly.GetName().Version?.ToString();
    /// <summary>When training ended (UTC, ISO 8601).</summary>
    public string? CreatedUtc { get; set; }
    /// <summary>The model that was fine-tuned (the path it was loaded from), or null when unknown.</summary>
    public string? BaseModel { get; set; }
    /// <summary>Training data: one entry per file (or one for rows given in memory).</summary>
    public List<ModelCardDataset> TrainingData { get; set; } = new();
    /// <summary>The loss's command-line name (mnrl, cosine …).</summary>
    public string? Loss { get; set; }
    /// <summary>The loss's settings (scale, margin …), by property name.</summary>
    public SortedDictionary<string, JsonNode?> LossParameters { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The trainer's settings (learning rate, batch size, epochs …), by name.</summary>
    public SortedDictionary<string, JsonNode?> Hyperparameters { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Optimiser steps taken.</summary>
    public int Steps { get; set; }
    /// <summary>Wall-clock training time in seconds (this run; a resumed run counts from the resume).</summary>
    public double TrainingSeconds { get; set; }
    /// <summary>Name of the evaluator, or null when none was given.</summary>
    public string? Evaluator { get; set; }
    /// <summary>The evaluator's primary metric, or null.</summary>
    public string? PrimaryMetric { get; set; }
    /// <summary>Metrics before training (null when not measured, e.g. on resume).</summary>
    public SortedDictionary<string, double>? EvaluationBefore { get; set; }
    /// <summary>Metrics of the saved weights (the best evaluation when the best model was restored).</summary>
    public SortedDictionary<string, double>? EvaluationAfter { get; set; }

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The card's JSON (snake_case names).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads <c>model_card.json</c> from <paramref name="folder"/>; null when the folder has none.</summary>
    /// <exception cref="ModelFormatException">The file is not a valid card.</exception>
    public static ModelCard? Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(path), Json) ?? throw new ModelFormatException(path, "expected a JSON object, found null."); }
        catch (JsonException ex) { throw new ModelFormatException(path, $"not a valid model card: {ex.Message}", ex); }
    }

    /// <summary>Writes <c>model_card.json</c> and <c>README.md</c> into <paramref name="folder"/> (each atomically).</summary>
    public void Write(string folder)
    {
        JsonFile.AtomicWrite(Path.Combine(folder, FileName), new UTF8Encoding(false).GetBytes(ToJson() + "\n"));
        JsonFile.AtomicWrite(Path.Combine(folder, ReadmeName), new UTF8Encoding(false).GetBytes(ToMarkdown()));
    }

    /// <summary>The README.md text rendered from the card.</summary>
    public string ToMarkdown()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("---\nlibrary_name: mlnet-embeddings\npipeline_tag: sentence-similarity\ntags:\n- sentence-transformers\n- sentence-similarity\n");
        if (Loss is not null) sb.Append("- loss:").Append(Loss).Append('\n');
        if (BaseModel is not null) sb.Append("base_model: ").Append(JsonSerializer.Serialize(BaseModel)).Append('\n');
        sb.Append("---\n\n# Fine-tuned sentence embedding model\n\n");
        sb.Append("Written by MLNet.Embeddings ").Append(LibraryVersion ?? "?").Append(" on ").Append(CreatedUtc ?? "?")
          .Append(". The same facts, as data: `").Append(FileName).Append("` (`mlnet-embed info --model DIR` prints them).\n\n");
        sb.Append("- Base model: ").Append(BaseModel is null ? "unknown" : $"`{BaseModel}`").Append('\n');
        sb.Append("- Loss: `").Append(Loss ?? "?").Append('`');
        if (LossParameters.Count > 0) sb.Append(" (").Append(string.Join(", ", LossParameters.Select(kv => $"{kv.Key} {Show(kv.Value)}"))).Append(')');
        sb.Append('\n');
        sb.Append("- Steps: ").Append(Steps.ToString(inv)).Append(", training time ").Append(TrainingSeconds.ToString("F1", inv)).Append(" s\n\n");
        sb.Append("## Training data\n\n| file | rows | sha256 |\n| --- | ---: | --- |\n");
        foreach (var d in TrainingData) sb.Append($"| `{d.Path}` | {d.Rows.ToString(inv)} | {d.Sha256 ?? "—"} |\n");
        sb.Append("\n## Hyper-parameters\n\n| name | value |\n| --- | --- |\n");
        foreach (var (k, v) in Hyperparameters) sb.Append($"| {k} | {Show(v)} |\n");
        if (Evaluator is not null)
        {
            sb.Append($"\n## Evaluation ({Evaluator}, primary metric {PrimaryMetric})\n\n| metric | before | after |\n| --- | ---: | ---: |\n");
            var names = (EvaluationAfter?.Keys ?? Enumerable.Empty<string>()).Union(EvaluationBefore?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal);
            foreach (var m in names)
                sb.Append($"| {m} | {Cell(EvaluationBefore, m)} | {Cell(EvaluationAfter, m)} |\n");
        }
        return sb.ToString();

        static string Show(JsonNode? v) => v is null ? "null" : v is JsonValue jv && jv.TryGetValue(out string? text) ? text : v.ToJsonString();
        static string Cell(SortedDictionary<string, double>? d, string m) =>
            d is not null && d.TryGetValue(m, out double x) ? x.ToString("F4", CultureInfo.InvariantCulture) : "—";
    }
}
