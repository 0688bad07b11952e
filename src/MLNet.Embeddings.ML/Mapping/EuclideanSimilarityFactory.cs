using Microsoft.ML.Transforms;
using MLNet.Embeddings.Scoring;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Loads a saved euclidean similarity stage (found by ML.NET through its contract name).</summary>
[CustomMappingFactoryAttribute(Contract)]
public sealed class EuclideanSimilarityFactory : CustomMappingFactory<SimilarityInput, SimilarityOutput>
{
    /// <summary>The contract name stored in the model zip.</summary>
    public const string Contract = "MLNet.Embeddings.Similarity.Euclidean";
    /// <inheritdoc />
    public override Action<SimilarityInput, SimilarityOutput> GetMapping() => static (i, o) => o.Score = SimilarityMapping.Score(SimilarityFunction.Euclidean, i);
}
