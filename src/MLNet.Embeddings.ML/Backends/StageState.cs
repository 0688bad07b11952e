using System.Text.Json.Nodes;
using Microsoft.ML;

namespace MLNet.Embeddings.ML;

/// <summary>
/// A loaded model with the settings of one model stage, as the saved chains carry it: an embedding stage
/// (<see cref="EmbeddingState"/>, a SentenceEncoder) or a relevance stage (<see cref="RelevanceState"/>, a CrossEncoder).
/// The saved form is the same for both (<see cref="SavedState"/>, <see cref="ChunkedState"/>): a packed model folder and
/// one settings JSON line, which tells on load which kind of state to make. Model runs are serialised per state.
/// </summary>
internal abstract class StageState
{
    string? _savedText;
    IEstimator<ITransformer>? _savedLookup;

    protected StageState(string? sourcePath) => SourcePath = sourcePath;

    /// <summary>Serialises model runs and the builds of the saved form.</summary>
    protected object Gate { get; } = new();

    /// <summary>The model path the stage was made from (null for a model tuned in memory and not written out).</summary>
    public string? SourcePath { get; }

    /// <summary>Where a saved pipeline keeps the model.</summary>
    public abstract ModelStorage Storage { get; }

    /// <summary>Whether the saved form is the one text (<see cref="SavedText"/>) rather than the chunked packed model.</summary>
    protected virtual bool SavedAsText => Storage == ModelStorage.Reference;

    /// <summary>Rows read ahead and run together by a cursor.</summary>
    public abstract int WindowSize { get; }

    /// <summary>Test seam: told of every model run and every build of the saved form (null in use).</summary>
    internal IEmbeddingStateObserver? Observer { get; set; }

    /// <summary>The settings line a saved stage keeps (for <see cref="ModelStorage.Reference"/>: nothing is packed).</summary>
    public abstract string SettingsJson();

    /// <summary>Writes the model into the empty folder <paramref name="folder"/> and returns the settings line that loads it from there.</summary>
    public abstract string Pack(string folder);

    /// <summary>The state of a saved settings line (<see cref="SettingsJson"/> or <see cref="Pack"/>) with the model at <paramref name="modelPath"/>.</summary>
    public static StageState Load(string modelPath, string json)
        => RelevanceState.IsSettings(json) ? RelevanceState.Load(modelPath, RelevanceState.ParseSettings(json)) : EmbeddingState.Load(modelPath, ApplyEmbeddingOptions.FromJson(json));

    /// <summary>The state of a saved settings line with the model in a folder written by <see cref="Pack"/>.</summary>
    public static StageState LoadPacked(string folder, string json)
        => RelevanceState.IsSettings(json) ? RelevanceState.Load(RelevanceState.PackedModelPath(folder), RelevanceState.ParseSettings(json))
            : FromEmbedding(folder, ApplyEmbeddingOptions.FromJson(json));

    static EmbeddingState FromEmbedding(string folder, ApplyEmbeddingOptions settings)
        => EmbeddingState.Load(EmbeddingStageBackends.Get(settings.Backend).PackedModelPath(folder), settings);

    /// <summary>
    /// The state as one text (the first saved format: settings and the base64 of the packed model, or a model path for
    /// <see cref="ModelStorage.Reference"/>); built once. Embedded models are saved in chunks (<see cref="SavedLookup"/>).
    /// </summary>
    public string SavedText()
    {
        lock (Gate) return _savedText ??= BuildText();
    }

    string BuildText() { Observer?.SavedTextBuilt(); return SavedState.Build(this); }

    IEstimator<ITransformer> BuildLookup()
    {
        Observer?.SavedLookupBuilt();
        return SavedAsText ? SavedPipeline.Lookup(new MLContext(), _savedText ??= BuildText()) : ChunkedState.Stages(this);
    }

    /// <summary>
    /// The saved chain's stages that carry the model from <c>__key</c> to <c>__state</c> (made once: ML.NET copies and
    /// serialises a lookup's values when it is made, so every save of every transformer of this model reuses them).
    /// </summary>
    public IEstimator<ITransformer> SavedLookup()
    {
        lock (Gate) return _savedLookup ??= BuildLookup();
    }

    /// <summary>Whether a settings line is a JSON object with the property <paramref name="name"/> (a relevance stage's marker).</summary>
    protected static bool HasProperty(string json, string name)
    {
        try { return JsonNode.Parse(json) is JsonObject o && o.ContainsKey(name); }
        catch (System.Text.Json.JsonException) { return false; }
    }
}
