using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Embeddings.CrossEncoders;

namespace MLNet.Embeddings.ML;

/// <summary>
/// A loaded cross-encoder with the settings of one relevance stage (<c>ScoreRelevance</c>): what the live transformer,
/// the saved chain's mapping and the batched reload share. Saved through the same machinery as an embedding stage
/// (<see cref="StageState"/>); its settings line is <c>{"ScoreRelevance": {…}}</c>, which tells it apart on load.
/// </summary>
internal sealed class RelevanceState : StageState
{
    const string Marker = "ScoreRelevance";
    readonly CrossEncoderOptions _predict;

    /// <summary>A state over <paramref name="model"/>; <paramref name="settings"/> is copied.</summary>
    public RelevanceState(CrossEncoder model, ScoreRelevanceOptions settings, string? sourcePath) : base(sourcePath)
    {
        settings.Validate();
        Model = model; Settings = settings.Clone();
        if (Settings.MaxLength is int max && max < model.Pairs.SpecialCount) // fails at Fit, not on the first row
            throw new ConfigurationException(nameof(ScoreRelevanceOptions.MaxLength), $"must be at least {model.Pairs.SpecialCount} (the pair's special tokens), found {max}.");
        _predict = Settings.ToCrossEncoderOptions();
    }

    /// <summary>The cross-encoder.</summary>
    public CrossEncoder Model { get; }
    /// <summary>The stage's settings (a copy).</summary>
    public ScoreRelevanceOptions Settings { get; }

    /// <inheritdoc />
    public override ModelStorage Storage => Settings.Storage;
    /// <inheritdoc />
    public override int WindowSize => Settings.WindowSize;

    /// <summary>Loads the cross-encoder at <paramref name="modelPath"/>: a folder, or a model name resolved (and downloaded) as <c>ApplyEmbedding</c> resolves one.</summary>
    public static RelevanceState Load(string modelPath, ScoreRelevanceOptions settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        settings.Validate();
        // a name becomes a local folder here; the state keeps the name, pinned, for ModelStorage.Reference
        var resolved = Models.ModelResolver.Resolve(modelPath, new Models.ModelResolveOptions { Weights = Models.ModelWeights.SafeTensors });
        return new RelevanceState(CrossEncoder.Load(resolved.Path), settings, resolved.IsLocal ? modelPath : resolved.PinnedName);
    }

    /// <summary>Scores of the pairs (queries[i], documents[i]), one model call (batched by length inside).</summary>
    public float[] Score(IReadOnlyList<string> queries, IReadOnlyList<string> documents, CancellationToken cancellationToken = default)
    {
        var pairs = new (string, string)[queries.Count];
        for (int i = 0; i < pairs.Length; i++) pairs[i] = (queries[i], documents[i]);
        Observer?.Encoded();
        lock (Gate) return Model.Predict(pairs, _predict, cancellationToken);
    }

    /// <summary>The score of one pair (the saved chain's row function).</summary>
    public float Score(string query, string document)
    {
        Observer?.Encoded();
        lock (Gate) return Model.Predict([(query, document)], _predict)[0];
    }

    /// <summary>The row function of the saved relevance stages: resolves the state (cached) and scores one pair.</summary>
    public static float Score(Mapping.RelevanceInput row)
    {
        var state = SavedState.ResolveAny(row.State) as RelevanceState
            ?? throw new InvalidOperationException("the model state found by a relevance stage is not a cross-encoder's; the saved chain was edited.");
        return state.Score(row.Query.ToString(), row.Document.ToString());
    }

    /// <inheritdoc />
    public override string SettingsJson() => Wrap(Settings);

    /// <inheritdoc />
    /// <remarks>
    /// The model is written with <see cref="CrossEncoder.Save"/>; the saved settings fix the token cap and the
    /// activation the stage used, so the reloaded stage scores exactly as this one did.
    /// </remarks>
    public override string Pack(string folder)
    {
        Model.Save(PackedModelPath(folder));
        var settings = Settings.Clone();
        settings.MaxLength ??= Model.MaxLength;
        settings.Activation ??= Model.Activation;
        return Wrap(settings);
    }

    /// <summary>The model folder inside a folder written by <see cref="Pack"/>.</summary>
    public static string PackedModelPath(string folder) => Path.Combine(folder, "model");

    /// <summary>Whether a saved settings line is a relevance stage's.</summary>
    public static bool IsSettings(string json) => HasProperty(json, Marker);

    /// <summary>The settings of a saved settings line written by <see cref="Wrap"/>.</summary>
    public static ScoreRelevanceOptions ParseSettings(string json)
        => (JsonNode.Parse(json)![Marker] ?? throw new InvalidDataException("the relevance stage's saved settings are missing."))
            .Deserialize<ScoreRelevanceOptions>(ScoreRelevanceOptions.Json) ?? throw new InvalidDataException("the relevance stage's saved settings are empty.");

    static string Wrap(ScoreRelevanceOptions settings)
        => new JsonObject { [Marker] = JsonSerializer.SerializeToNode(settings, ScoreRelevanceOptions.Json) }.ToJsonString();
}
