using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML;

/// <summary>
/// The estimator of <c>ScoreRelevance</c>: <see cref="Fit"/> loads the cross-encoder (once) and checks the input
/// columns; nothing is trained.
/// </summary>
public sealed class RelevanceEstimator : IEstimator<RelevanceTransformer>
{
    readonly Lazy<RelevanceState> _state;

    internal RelevanceEstimator(string outputColumnName, string queryColumnName, string documentColumnName, string modelPath, ScoreRelevanceOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(queryColumnName);
        ArgumentException.ThrowIfNullOrEmpty(documentColumnName);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var settings = options.Clone();
        settings.Validate();
        OutputColumnName = outputColumnName; QueryColumnName = queryColumnName; DocumentColumnName = documentColumnName; ModelPath = modelPath;
        _state = new Lazy<RelevanceState>(() => RelevanceState.Load(modelPath, settings));
    }

    /// <summary>The cross-encoder folder or model name.</summary>
    public string ModelPath { get; }
    /// <summary>The Single column the scores go to.</summary>
    public string OutputColumnName { get; }
    /// <summary>The query text column.</summary>
    public string QueryColumnName { get; }
    /// <summary>The document text column.</summary>
    public string DocumentColumnName { get; }

    /// <inheritdoc />
    public RelevanceTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        SchemaChecks.NoReservedNames(input.Schema);
        SchemaChecks.Text(input.Schema, QueryColumnName, "query column");
        SchemaChecks.Text(input.Schema, DocumentColumnName, "document column");
        return new RelevanceTransformer(_state.Value, OutputColumnName, QueryColumnName, DocumentColumnName, input.Schema);
    }

    /// <inheritdoc />
    /// <remarks>Needs no model: the output is one Single column whatever the cross-encoder.</remarks>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaChecks.Text(inputSchema, QueryColumnName, "query column");
        SchemaChecks.Text(inputSchema, DocumentColumnName, "document column");
        return RelevancePipeline.Live((_, _) => throw new InvalidOperationException("schema only"), OutputColumnName, QueryColumnName, DocumentColumnName)
            .GetOutputSchema(inputSchema);
    }
}
