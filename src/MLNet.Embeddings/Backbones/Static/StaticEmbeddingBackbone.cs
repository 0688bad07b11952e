namespace MLNet.Embeddings.Backbones.Static;

/// <summary>Static word vectors (GloVe / word2vec / fastText). Placeholder signature; the static-model work replaces this file.</summary>
public sealed class StaticEmbeddingBackbone
{
    /// <summary>Loads a folder saved by <c>SentenceEncoder.Save</c> for a static model.</summary>
    public static SentenceEncoder LoadFolder(string folder) => throw new NotImplementedException();
    /// <summary>Loads a word-vector file (.txt/.vec text format with or without header, .bin word2vec binary) as a mean-pooled encoder.</summary>
    public static SentenceEncoder LoadWordVectors(string path) => throw new NotImplementedException();
}
