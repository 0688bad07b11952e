namespace MLNet.Embeddings.Models;

/// <summary>Progress of one file being downloaded by a model source.</summary>
/// <param name="Model">The model name being resolved.</param>
/// <param name="File">The file within the model.</param>
/// <param name="BytesDone">Bytes on disk so far (a resumed download starts above zero).</param>
/// <param name="BytesTotal">The file's size when known, else null.</param>
public readonly record struct ModelDownloadProgress(string Model, string File, long BytesDone, long? BytesTotal);
