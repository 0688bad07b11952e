using System.Text.Json;

using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Tokenization;

/// <summary>
/// Tokenizes text pairs the way Hugging Face tokenizers do for <c>tokenizer(first, second)</c>: each text is tokenized
/// without special tokens, the pair is cut to the length limit with the longest-first strategy, and the post-processor's
/// pair template is applied: <c>[CLS] a [SEP] b [SEP]</c> with token types 0 and 1 for BERT, <c>&lt;s&gt; a &lt;/s&gt;&lt;/s&gt; b &lt;/s&gt;</c>
/// (all type 0) for RoBERTa, or whatever a <c>TemplateProcessing</c> says. Cross-encoders and pair classifiers use it.
/// </summary>
public sealed class PairTokenizer
{
    // One entry per template piece: a run of special ids, or a sequence (0: first, 1: second); each with its type id.
    readonly (int[] Ids, int Sequence, int TypeId)[] _pieces;

    PairTokenizer(ITokenizer tokenizer, (int[] Ids, int Sequence, int TypeId)[] pieces)
    {
        Tokenizer = tokenizer; _pieces = pieces;
        foreach (var p in pieces) SpecialCount += p.Ids.Length;
    }

    /// <summary>The single-text tokenizer underneath.</summary>
    public ITokenizer Tokenizer { get; }
    /// <summary>Number of special tokens the pair template adds (3 for BERT, 4 for RoBERTa).</summary>
    public int SpecialCount { get; }

    /// <summary>The BERT pair template <c>[CLS] a [SEP] b [SEP]</c> (types 0, 0, 0, 1, 1) over <paramref name="tokenizer"/>.</summary>
    public static PairTokenizer Bert(ITokenizer tokenizer, int clsId, int sepId)
        => new(tokenizer, [([clsId], -1, 0), ([], 0, 0), ([sepId], -1, 0), ([], 1, 1), ([sepId], -1, 1)]);

    /// <summary>The RoBERTa pair template <c>&lt;s&gt; a &lt;/s&gt;&lt;/s&gt; b &lt;/s&gt;</c>, all type 0.</summary>
    public static PairTokenizer Roberta(ITokenizer tokenizer, int clsId, int sepId)
        => new(tokenizer, [([clsId], -1, 0), ([], 0, 0), ([sepId, sepId], -1, 0), ([], 1, 0), ([sepId], -1, 0)]);

    /// <summary>
    /// The pair tokenizer of a model folder: the <c>post_processor</c> of its tokenizer.json (BertProcessing,
    /// RobertaProcessing, TemplateProcessing's <c>pair</c>, or none), else BERT's template with the vocabulary's
    /// <c>[CLS]</c> and <c>[SEP]</c>.
    /// </summary>
    /// <exception cref="ModelFormatException">The post-processor is malformed or names a token the vocabulary lacks.</exception>
    public static PairTokenizer Load(string folder, ITokenizer tokenizer)
    {
        string path = Path.Combine(folder, "tokenizer.json");
        if (!File.Exists(path))
        {
            int cls = tokenizer.TokenToId("[CLS]") ?? throw new ModelFormatException(Path.Combine(folder, "vocab.txt"), "token '[CLS]' is not in the vocabulary; a pair template needs it.");
            int sep = tokenizer.TokenToId("[SEP]") ?? throw new ModelFormatException(Path.Combine(folder, "vocab.txt"), "token '[SEP]' is not in the vocabulary; a pair template needs it.");
            return Bert(tokenizer, cls, sep);
        }
        using var doc = JsonFile.Parse(path);
        if (JsonFile.Get(doc.RootElement, "post_processor") is not { ValueKind: JsonValueKind.Object } p)
            return new PairTokenizer(tokenizer, [([], 0, 0), ([], 1, 1)]);
        string? type = JsonFile.String(p, "type", path, "post_processor.type");
        int IdOf(string field)
        {
            var e = JsonFile.Require(p, field, path, "post_processor." + field);
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 2 || !e[1].TryGetInt32(out int id))
                throw new ModelFormatException(path, $"field 'post_processor.{field}': expected [token, id]");
            return id;
        }
        switch (type)
        {
            case "BertProcessing": return Bert(tokenizer, IdOf("cls"), IdOf("sep"));
            case "RobertaProcessing": return Roberta(tokenizer, IdOf("cls"), IdOf("sep"));
            case "ByteLevel": return new PairTokenizer(tokenizer, [([], 0, 0), ([], 1, 0)]);
            case "TemplateProcessing":
            {
                var pair = JsonFile.Require(p, "pair", path, "post_processor.pair");
                var specials = JsonFile.Get(p, "special_tokens");
                var pieces = new List<(int[], int, int)>();
                int i = 0;
                foreach (var piece in pair.EnumerateArray())
                {
                    string field = $"post_processor.pair[{i++}]";
                    if (JsonFile.Get(piece, "Sequence") is { } seq)
                    {
                        string id = JsonFile.String(seq, "id", path, field + ".Sequence.id") ?? "A";
                        int typeId = (int)(JsonFile.Long(seq, "type_id", path, field + ".Sequence.type_id") ?? 0);
                        pieces.Add(([], id == "B" ? 1 : 0, typeId));
                    }
                    else if (JsonFile.Get(piece, "SpecialToken") is { } st)
                    {
                        string id = JsonFile.String(st, "id", path, field + ".SpecialToken.id")
                            ?? throw new ModelFormatException(path, $"field '{field}.SpecialToken.id' is missing");
                        int typeId = (int)(JsonFile.Long(st, "type_id", path, field + ".SpecialToken.type_id") ?? 0);
                        int[] ids;
                        if (specials is { } s && JsonFile.Get(s, id) is { } entry && JsonFile.Get(entry, "ids") is { ValueKind: JsonValueKind.Array } arr)
                            ids = arr.EnumerateArray().Select(x => x.GetInt32()).ToArray();
                        else ids = [tokenizer.TokenToId(id) ?? throw new ModelFormatException(path, $"field '{field}': no id for special token '{id}'")];
                        pieces.Add((ids, -1, typeId));
                    }
                    else throw new ModelFormatException(path, $"field '{field}': expected Sequence or SpecialToken");
                }
                return new PairTokenizer(tokenizer, pieces.ToArray());
            }
            default:
                throw new ModelFormatException(path, $"field 'post_processor.type': expected TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel or null, found '{type}'");
        }
    }

    /// <summary>
    /// Tokenizes a pair into at most <paramref name="maxLength"/> tokens (special tokens included; 0 or less: no limit).
    /// When too long, the texts are cut as Hugging Face's longest-first strategy does: the shorter keeps its tokens when
    /// the longer alone can absorb the cut, otherwise each keeps half the budget (the first text's half rounded down when
    /// it is not the longer one).
    /// </summary>
    public TokenizedText Encode(string first, string second, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        bool limit = maxLength > 0;
        int budget = limit ? Math.Max(0, maxLength - SpecialCount) : int.MaxValue;
        // Both texts in full: which one is longer decides the cut, so neither may be capped first.
        var a = Tokenizer.Encode(first, int.MaxValue, addSpecialTokens: false);
        var b = Tokenizer.Encode(second, int.MaxValue, addSpecialTokens: false);
        int n1 = a.Length, n2 = b.Length;
        if (limit && (long)n1 + n2 > budget)
        {
            // tokenizers' truncate_encodings, TruncationStrategy::LongestFirst.
            bool swap = n1 > n2;
            if (swap) (n1, n2) = (n2, n1);
            n2 = n1 > budget ? n1 : Math.Max(n1, budget - n1);
            if (n1 + n2 > budget) { n1 = budget / 2; n2 = n1 + budget % 2; }
            if (swap) (n1, n2) = (n2, n1);
            n1 = Math.Min(n1, a.Length); n2 = Math.Min(n2, b.Length);
        }
        int total = SpecialCount + n1 + n2;
        var ids = new int[total]; var types = new int[total]; var offsets = new (int, int)[total];
        int k = 0;
        foreach (var (pieceIds, seq, typeId) in _pieces)
        {
            if (seq < 0)
            {
                foreach (var id in pieceIds) { ids[k] = id; types[k] = typeId; k++; }
                continue;
            }
            var src = seq == 0 ? a : b;
            int n = seq == 0 ? n1 : n2;
            for (int i = 0; i < n; i++, k++) { ids[k] = src.Ids[i]; types[k] = typeId; offsets[k] = src.Offsets[i]; }
        }
        return new TokenizedText(ids, types, offsets);
    }
}
