namespace MLNet.Embeddings.ML.Tests;

/// <summary>
/// Tests that change the process's current directory or environment (MLNET_EMBEDDINGS_CACHE): one at a time and never
/// beside another collection, whose saved zips would otherwise unpack into, or whose child processes inherit, a
/// folder that is about to be deleted.
/// </summary>
[CollectionDefinition("CurrentDirectory", DisableParallelization = true)]
public sealed class CurrentDirectoryCollection;
