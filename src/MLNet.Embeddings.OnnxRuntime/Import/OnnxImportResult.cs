namespace MLNet.Embeddings.OnnxRuntime.Import;

/// <summary>What <see cref="OnnxImporter.Convert"/> wrote.</summary>
/// <param name="Folder">The sentence-transformers folder.</param>
/// <param name="Model">The imported configuration and tensors.</param>
public sealed record OnnxImportResult(string Folder, ImportedBert Model);
