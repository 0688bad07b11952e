using Microsoft.ML.Transforms;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Loads the stage that unpacks and loads the carried model once per process (found by ML.NET through its contract name).</summary>
[CustomMappingFactoryAttribute(Contract)]
public sealed class AssembleFactory : CustomMappingFactory<AssembleInput, StateOutput>
{
    /// <summary>The contract name stored in the model zip.</summary>
    public const string Contract = "MLNet.Embeddings.Assemble";
    /// <inheritdoc />
    public override Action<AssembleInput, StateOutput> GetMapping() => static (i, o) => o.State = ChunkedState.Assemble(i.State, i.Blob);
}
