using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.Scoring;

namespace MLNet.Embeddings.ML;

/// <summary>The estimator of <c>ScoreSimilarity</c> (nothing to learn; <see cref="Fit"/> checks the columns).</summary>
public sealed class SimilarityEstimator : IEstimator<SimilarityTransformer>
{
    internal SimilarityEstimator(string output, string first, string second, SimilarityFunction function)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        ArgumentException.ThrowIfNullOrEmpty(first);
        ArgumentException.ThrowIfNullOrEmpty(second);
        OutputColumnName = output; FirstColumnName = first; SecondColumnName = second; Function = function;
    }

    /// <summary>The similarity column.</summary>
    public string OutputColumnName { get; }
    /// <summary>The first vector column.</summary>
    public string FirstColumnName { get; }
    /// <summary>The second vector column.</summary>
    public string SecondColumnName { get; }
    /// <summary>The similarity function.</summary>
    public SimilarityFunction Function { get; }

    /// <inheritdoc />
    public SimilarityTransformer Fit(IDataView input) => new(OutputColumnName, FirstColumnName, SecondColumnName, Function, input.Schema);

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SchemaChecks.FloatVector(inputSchema, FirstColumnName, "first column");
        SchemaChecks.FloatVector(inputSchema, SecondColumnName, "second column");
        return SavedPipeline.SimilarityEstimator(Function, OutputColumnName, FirstColumnName, SecondColumnName).GetOutputSchema(inputSchema);
    }
}
