namespace MLNet.Embeddings.Tokenization;

/// <summary>Finds and loads a model folder's tokenizer. Placeholder signature; the tokenizer work replaces this file.</summary>
public static class TokenizerLoader
{
    /// <summary>Loads tokenizer.json when present, else vocab.txt (+ tokenizer_config.json).</summary>
    public static ITokenizer Load(string folder) => throw new NotImplementedException();
}
