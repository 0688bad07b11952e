namespace MLNet.Embeddings.Tokenization.WordPiece;

/// <summary>
/// How a WordPiece (BERT) tokenizer normalises and splits text. Defaults are those of
/// <c>bert-base-uncased</c> (Hugging Face <c>BertTokenizer</c>).
/// </summary>
public sealed record WordPieceOptions
{
    /// <summary>Lowercase the text (<c>do_lower_case</c>). Default true.</summary>
    public bool Lowercase { get; init; } = true;
    /// <summary>Strip accents (NFD, then drop non-spacing marks). Null (the default) follows <see cref="Lowercase"/>, as in HF.</summary>
    public bool? StripAccents { get; init; }
    /// <summary>Drop control characters and map whitespace to a space (<c>clean_text</c>). Default true.</summary>
    public bool CleanText { get; init; } = true;
    /// <summary>Split CJK ideographs into single characters (<c>tokenize_chinese_chars</c>). Default true.</summary>
    public bool HandleChineseChars { get; init; } = true;
    /// <summary>Unknown token. Default <c>[UNK]</c>.</summary>
    public string UnkToken { get; init; } = "[UNK]";
    /// <summary>Token put before the text. Default <c>[CLS]</c>.</summary>
    public string ClsToken { get; init; } = "[CLS]";
    /// <summary>Token put after the text. Default <c>[SEP]</c>.</summary>
    public string SepToken { get; init; } = "[SEP]";
    /// <summary>Padding token. Default <c>[PAD]</c>.</summary>
    public string PadToken { get; init; } = "[PAD]";
    /// <summary>Mask token. Default <c>[MASK]</c>.</summary>
    public string MaskToken { get; init; } = "[MASK]";
    /// <summary>Further special tokens matched verbatim in the text (<c>additional_special_tokens</c>).</summary>
    public IReadOnlyList<string> AdditionalSpecialTokens { get; init; } = [];
    /// <summary>Prefix of word continuations. Default <c>##</c>.</summary>
    public string ContinuingSubwordPrefix { get; init; } = "##";
    /// <summary>Words longer than this (in characters) become the unknown token. Default 100.</summary>
    public int MaxInputCharsPerWord { get; init; } = 100;
    /// <summary>The longest input the model was trained for (<c>model_max_length</c>), when known.</summary>
    public int? ModelMaxLength { get; init; }
}
