using System.Buffers;
using MLNet.Embeddings.Tokenization.Normalization;
using MLNet.Embeddings.Tokenization.PreTokenization;

namespace MLNet.Embeddings.Tokenization.WordPiece;

/// <summary>
/// The BERT tokenizer: Hugging Face's WordPiece pipeline (added tokens, <c>BertNormalizer</c>,
/// <c>BertPreTokenizer</c>, greedy longest-match WordPiece, <c>[CLS] … [SEP]</c>) with ids identical to
/// HF <c>tokenizers</c>. Load it from a model folder with <see cref="TokenizerLoader.Load"/>, from files with
/// <see cref="FromTokenizerJson"/> / <see cref="FromVocabFile(string, bool)"/>, or build a small one with
/// <see cref="FromVocabulary"/>. Thread-safe: Encode keeps its working buffers per thread.
/// </summary>
public sealed partial class WordPieceTokenizer : ITokenizer
{
    private const int ChunkSize = 2048;
    private static readonly SearchValues<char> s_chunkBreaks = SearchValues.Create(" \n\t\r");

    private readonly WordPieceModel _model;
    private readonly BertNormalizer _normalizer;
    private readonly SpecialTokensTemplate _template;
    private readonly TokenizerCore _core;
    private readonly AddedTokenMatcher? _normalizedAdded;
    private readonly string? _tokenizerJson;

    private WordPieceTokenizer(WordPieceModel model, BertNormalizer normalizer, SpecialTokensTemplate template,
        IReadOnlyList<AddedToken> addedTokens, WordPieceOptions options, int padId, string? tokenizerJson)
    {
        _model = model;
        _normalizer = normalizer;
        _template = template;
        Options = options;
        AddedTokens = addedTokens;
        PadId = padId;
        _tokenizerJson = tokenizerJson;
        var norm = addedTokens.Where(t => t.Normalized).ToList();
        if (norm.Count > 0) _normalizedAdded = new AddedTokenMatcher(norm, normalizer.NormalizeString);
        _core = new TokenizerCore(template, model.Vocab, model.Vocab, addedTokens, firstAddedWins: false, ProcessText);
    }

    /// <summary>The normalisation and special-token settings.</summary>
    public WordPieceOptions Options { get; }
    /// <summary>Tokens matched verbatim before normalisation (the special tokens and any added vocabulary).</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }
    /// <inheritdoc />
    public int VocabSize => _core.VocabSize;
    /// <inheritdoc />
    public int PadId { get; }
    /// <summary>Id of the unknown token.</summary>
    public int UnkId => _model.UnkId;
    /// <summary>Number of special tokens added around one text (2 for <c>[CLS] … [SEP]</c>).</summary>
    public int SpecialTokenCount => _template.Count;

    /// <inheritdoc />
    public TokenizedText Encode(string text, int maxLength = 512, bool addSpecialTokens = true)
        => _core.Encode(text, maxLength, addSpecialTokens);

    /// <inheritdoc />
    public string? IdToToken(int id) => _core.IdToToken(id);

    /// <inheritdoc />
    public int? TokenToId(string token) => _core.TokenToId(token);

    /// <summary>
    /// Normalises and tokenizes <c>text[from..to)</c> in chunks that end at whitespace, so a long text
    /// stops costing work once <paramref name="budget"/> tokens are found. Returns false when the budget is full.
    /// </summary>
    private bool ProcessText(ReadOnlySpan<char> text, int from, int to, int budget, EncodeScratch s)
    {
        var norm = s.Norm;
        int pos = from;
        while (pos < to)
        {
            int end = to;
            if (to - pos > ChunkSize && _normalizedAdded is null)
            {
                int idx = text[(pos + ChunkSize)..to].IndexOfAny(s_chunkBreaks);
                end = idx < 0 ? to : pos + ChunkSize + idx + 1;
            }
            norm.Clear();
            _normalizer.Normalize(text[pos..end], pos, norm);
            if (!ProcessNormalized(norm, budget, s)) return false;
            pos = end;
        }
        return true;
    }

    private bool ProcessNormalized(NormalizedText norm, int budget, EncodeScratch s)
    {
        if (_normalizedAdded is null) return TokenizeWords(norm, 0, norm.Length, budget, s);
        int done = 0;
        while (done < norm.Length && _normalizedAdded.FindNext(norm.Span, done, done, out int start, out int end, out int id))
        {
            if (done < start && !TokenizeWords(norm, done, start, budget, s)) return false;
            if (s.Count >= budget) return false;
            s.Add(id, norm.Starts[start], norm.Ends[end - 1]);
            done = end;
        }
        return TokenizeWords(norm, done, norm.Length, budget, s);
    }

    private bool TokenizeWords(NormalizedText norm, int from, int to, int budget, EncodeScratch s)
    {
        var span = norm.Chars.AsSpan(0, to);
        int pos = from;
        while (BertPreTokenizer.NextWord(span, ref pos, out int start, out int end))
        {
            _model.Tokenize(norm, start, end, s);
            if (s.Count >= budget) return false;
        }
        return true;
    }
}
