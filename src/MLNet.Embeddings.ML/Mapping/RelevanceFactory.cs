using Microsoft.ML.Transforms;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Loads a saved relevance stage (<c>ScoreRelevance</c>; found by ML.NET through its contract name).</summary>
[CustomMappingFactoryAttribute(Contract)]
public sealed class RelevanceFactory : CustomMappingFactory<RelevanceInput, RelevanceOutput>
{
    /// <summary>The contract name stored in the model zip.</summary>
    public const string Contract = "MLNet.Embeddings.Relevance";
    /// <inheritdoc />
    public override Action<RelevanceInput, RelevanceOutput> GetMapping() => static (i, o) => o.Score = RelevanceState.Score(i);
}
