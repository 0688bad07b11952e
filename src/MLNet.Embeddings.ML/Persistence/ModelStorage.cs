namespace MLNet.Embeddings.ML;

/// <summary>Where a saved pipeline keeps the embedding model.</summary>
public enum ModelStorage
{
    /// <summary>
    /// Inside the ML.NET zip (default): the model folder is packed (zip) and carried by lookup tables of the saved chain,
    /// so the zip is the only file to copy. Loading peaks at about 2.5–2.8× the packed size (docs/ml.md). Limited to
    /// models whose packed form is below 2 GB (one .NET array).
    /// </summary>
    Embedded,
    /// <summary>
    /// Beside the zip: the zip stores only the model path (as given, relative paths stay relative); on load it is
    /// looked up from the current directory, the application's directory and <see cref="SavedModelLocator.SearchDirectories"/>.
    /// </summary>
    Reference,
}
