using Microsoft.ML.Transforms;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>Loads the key stage of a saved embedding pipeline (found by ML.NET through its contract name).</summary>
[CustomMappingFactoryAttribute(Contract)]
public sealed class KeyFactory : CustomMappingFactory<KeyInput, KeyOutput>
{
    /// <summary>The contract name stored in the model zip.</summary>
    public const string Contract = "MLNet.Embeddings.Key";
    /// <summary>The key every row gets.</summary>
    public const float Value = 1f;
    /// <inheritdoc />
    public override Action<KeyInput, KeyOutput> GetMapping() => static (_, o) => o.Key = Value;
}
