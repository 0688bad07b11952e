namespace MLNet.Embeddings.Tests;

/// <summary>
/// Tests that switch process-wide kernel settings (<c>Sgemm.ForcePortable</c>, <c>Sgemm.MaxThreads</c>) run alone:
/// a different kernel rounds differently, which would break bit-exact comparisons in tests running beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelStateCollection
{
    public const string Name = "Kernel state";
}
