namespace MLNet.Embeddings.Tokenization;

/// <summary>Turns text into token ids. WordPiece, BPE, Unigram and word tokenizers implement it.</summary>
public interface ITokenizer
{
    /// <summary>Vocabulary size.</summary>
    int VocabSize { get; }
    /// <summary>Id of the padding token.</summary>
    int PadId { get; }
    /// <summary>
    /// Tokenizes <paramref name="text"/>; with <paramref name="addSpecialTokens"/> the model's special tokens
    /// (e.g. <c>[CLS]</c>/<c>[SEP]</c>) are added. The result holds at most <paramref name="maxLength"/> tokens
    /// (special tokens included); longer texts are truncated at the end.
    /// </summary>
    TokenizedText Encode(string text, int maxLength = 512, bool addSpecialTokens = true);
    /// <summary>The token string of an id, or null when out of range.</summary>
    string? IdToToken(int id);
    /// <summary>The id of a token string, or null when not in the vocabulary.</summary>
    int? TokenToId(string token);
    /// <summary>Writes this tokenizer's files (vocab.txt, tokenizer.json, tokenizer_config.json …) into a model folder.</summary>
    void Save(string folder);
}
