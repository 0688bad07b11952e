using Microsoft.Extensions.AI;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML;

/// <summary>
/// The estimator of <c>ApplyEmbedding</c>: <see cref="Fit"/> loads the model (once) and checks the input columns;
/// nothing is trained.
/// </summary>
public sealed class EmbeddingEstimator : IEstimator<EmbeddingTransformer>
{
    readonly Lazy<EmbeddingState> _state;

    internal EmbeddingEstimator(string modelPath, IReadOnlyList<InputOutputColumnPair> columns, ApplyEmbeddingOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var settings = Checked(columns, options);
        Columns = columns.ToArray();
        ModelPath = modelPath;
        _state = new Lazy<EmbeddingState>(() => EmbeddingState.Load(modelPath, settings));
    }

    internal EmbeddingEstimator(IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<InputOutputColumnPair> columns, ApplyEmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var settings = Checked(columns, options);
        if (settings.Remote is not null)
            throw new ConfigurationException(nameof(ApplyEmbeddingOptions.Remote), "applies to openai:MODEL names; a generator instance is already configured.");
        Columns = columns.ToArray();
        ModelPath = generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? generator.GetType().Name;
        _state = new Lazy<EmbeddingState>(() => new EmbeddingState(GeneratorModel.FromInstance(generator, settings), settings));
    }

    static ApplyEmbeddingOptions Checked(IReadOnlyList<InputOutputColumnPair> columns, ApplyEmbeddingOptions options)
    {
        if (columns.Count == 0) throw new ArgumentException("at least one (output, input) column pair is needed.", nameof(columns));
        var settings = options.Clone();
        settings.Validate();
        return settings;
    }

    /// <summary>The model folder, word-vector file or model name (<c>openai:MODEL</c>); for a generator instance, its model id.</summary>
    public string ModelPath { get; }
    /// <summary>The (output, input) column pairs.</summary>
    public IReadOnlyList<InputOutputColumnPair> Columns { get; }

    /// <inheritdoc />
    public EmbeddingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckColumns(input.Schema);
        return new EmbeddingTransformer(_state.Value, Columns, input.Schema);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return SavedPipeline.EmbeddingShape(inputSchema, _state.Value.Dimensions, Columns);
    }

    void CheckColumns(DataViewSchema schema)
    {
        SchemaChecks.NoReservedNames(schema);
        foreach (var c in Columns) SchemaChecks.Text(schema, c.InputColumnName, "input column");
    }
}
