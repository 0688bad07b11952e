using Microsoft.ML.Transforms;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Loads the stage that asks for the packed model until it is loaded (found by ML.NET through its contract name).</summary>
[CustomMappingFactoryAttribute(Contract)]
public sealed class NeedFactory : CustomMappingFactory<StateInput, NeedOutput>
{
    /// <summary>The contract name stored in the model zip.</summary>
    public const string Contract = "MLNet.Embeddings.Need";
    /// <inheritdoc />
    public override Action<StateInput, NeedOutput> GetMapping() => static (i, o) => o.Need = ChunkedState.Needs(i.State) ? KeyFactory.Value : 0f;
}
