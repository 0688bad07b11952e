using Microsoft.ML.Transforms;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>
/// Loads the stage that follows each chunk lookup of a saved model. ML.NET builds this mapping while it loads the
/// chain, right after the chunk before it; building it returns that chunk's load garbage (about 24 bytes per byte
/// carried) to the GC, so the peak of a load stays near what the lookups keep instead of growing with the model.
/// </summary>
[CustomMappingFactoryAttribute(Contract)]
public sealed class CollectFactory : CustomMappingFactory<NeedOutput, CollectOutput>
{
    /// <summary>The contract name stored in the model zip.</summary>
    public const string Contract = "MLNet.Embeddings.Collect";
    /// <inheritdoc />
    public override Action<NeedOutput, CollectOutput> GetMapping()
    {
        ChunkedState.CollectLoadGarbage();
        return static (_, o) => o.Value = 0f;
    }
}
