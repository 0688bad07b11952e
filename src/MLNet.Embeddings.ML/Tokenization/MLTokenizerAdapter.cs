using MLNet.Embeddings.Tokenization;
using MlTokenizer = Microsoft.ML.Tokenizers.Tokenizer;

namespace MLNet.Embeddings.ML.Tokenization;

/// <summary>
/// Any <c>Microsoft.ML.Tokenizers.Tokenizer</c> (BertTokenizer, TiktokenTokenizer, SentencePiece, LlamaTokenizer …)
/// as our <see cref="ITokenizer"/>, so that a <see cref="SentenceEncoder"/> can run on it:
/// <c>new SentenceEncoder(new MLTokenizerAdapter(tokenizer, vocabSize, bosId: clsId, eosId: sepId, padId: padId), backbone, config)</c>. Special tokens
/// are added around the text when ids for them are given; offsets come from the tokenizer's tokens.
/// </summary>
public sealed class MLTokenizerAdapter : ITokenizer
{
    readonly int? _bos, _eos;

    /// <summary>Wraps <paramref name="tokenizer"/>; <paramref name="bosId"/>/<paramref name="eosId"/> (e.g. [CLS]/[SEP]) are added when special tokens are asked for.</summary>
    public MLTokenizerAdapter(MlTokenizer tokenizer, int vocabSize, int? bosId = null, int? eosId = null, int padId = 0)
    {
        Tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        if (vocabSize < 1) throw new ConfigurationException(nameof(vocabSize), $"must be at least 1, found {vocabSize}.");
        VocabSize = vocabSize; _bos = bosId; _eos = eosId; PadId = padId;
    }

    /// <summary>The wrapped tokenizer.</summary>
    public MlTokenizer Tokenizer { get; }
    /// <inheritdoc />
    public int VocabSize { get; }
    /// <inheritdoc />
    public int PadId { get; }

    /// <inheritdoc />
    public TokenizedText Encode(string text, int maxLength = 512, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        int reserve = addSpecialTokens ? (_bos is null ? 0 : 1) + (_eos is null ? 0 : 1) : 0;
        var tokens = Tokenizer.EncodeToTokens(text, out _, considerPreTokenization: true, considerNormalization: true);
        int n = Math.Max(0, Math.Min(tokens.Count, maxLength - reserve));
        var ids = new List<int>(n + reserve);
        var offsets = new List<(int, int)>(n + reserve);
        if (addSpecialTokens && _bos is int b) { ids.Add(b); offsets.Add((0, 0)); }
        for (int i = 0; i < n; i++)
        {
            ids.Add(tokens[i].Id);
            var (start, length) = tokens[i].Offset.GetOffsetAndLength(text.Length);
            offsets.Add((start, start + length));
        }
        if (addSpecialTokens && _eos is int e) { ids.Add(e); offsets.Add((0, 0)); }
        return new TokenizedText(ids.ToArray(), new int[ids.Count], offsets.ToArray());
    }

    /// <inheritdoc />
    public string? IdToToken(int id) => id < 0 || id >= VocabSize ? null : Tokenizer.Decode(new[] { id });

    /// <inheritdoc />
    public int? TokenToId(string token)
    {
        var ids = Tokenizer.EncodeToIds(token, considerPreTokenization: false, considerNormalization: false);
        return ids.Count == 1 ? ids[0] : null;
    }

    /// <summary>Not supported: a Microsoft.ML.Tokenizers tokenizer has no Hugging Face file form to write.</summary>
    public void Save(string folder) =>
        throw new NotSupportedException("a Microsoft.ML.Tokenizers tokenizer cannot be written into a model folder; save the model's own tokenizer files beside it.");
}
