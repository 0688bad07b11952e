using System.Text.Json;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Tokenization;

/// <summary>
/// The single-sequence part of a post-processor (HF <c>TemplateProcessing</c>, <c>BertProcessing</c>,
/// <c>RobertaProcessing</c>): special token ids put before and after the text, with their type ids.
/// </summary>
internal sealed class SpecialTokensTemplate
{
    public static readonly SpecialTokensTemplate None = new([], [], [], [], 0);

    public SpecialTokensTemplate(int[] prefixIds, int[] prefixTypeIds, int[] suffixIds, int[] suffixTypeIds, int sequenceTypeId)
    {
        PrefixIds = prefixIds; PrefixTypeIds = prefixTypeIds;
        SuffixIds = suffixIds; SuffixTypeIds = suffixTypeIds;
        SequenceTypeId = sequenceTypeId;
    }

    /// <summary><c>[CLS] text [SEP]</c>, all type 0.</summary>
    public static SpecialTokensTemplate ClsSep(int cls, int sep) => new([cls], [0], [sep], [0], 0);

    public int[] PrefixIds { get; }
    public int[] PrefixTypeIds { get; }
    public int[] SuffixIds { get; }
    public int[] SuffixTypeIds { get; }
    public int SequenceTypeId { get; }
    /// <summary>Byte-level post-processing: trim spaces (<c>Ġ</c>) at the ends of tokens out of their offsets.</summary>
    public bool TrimOffsets { get; init; }
    /// <summary>With <see cref="TrimOffsets"/>: the pre-tokenizer added a prefix space, keep it in the first token's offsets.</summary>
    public bool AddPrefixSpace { get; init; }
    /// <summary>Number of special tokens added to one text.</summary>
    public int Count => PrefixIds.Length + SuffixIds.Length;

    /// <summary>
    /// Builds the result: truncates the tokens in <paramref name="s"/> so that with the special tokens there are at most
    /// <paramref name="maxLength"/> (HF truncates the sequence to max_length minus the added tokens, then adds them).
    /// </summary>
    public TokenizedText Build(EncodeScratch s, int maxLength, bool addSpecialTokens)
    {
        int specials = addSpecialTokens ? Count : 0;
        int n = Math.Min(s.Count, Math.Max(0, maxLength - specials));
        int total = n + specials;
        var ids = new int[total];
        var types = new int[total];
        var offsets = new (int, int)[total];
        int k = 0;
        if (addSpecialTokens)
            for (int i = 0; i < PrefixIds.Length; i++, k++) { ids[k] = PrefixIds[i]; types[k] = PrefixTypeIds[i]; }
        for (int i = 0; i < n; i++, k++)
        {
            ids[k] = s.Ids[i]; types[k] = SequenceTypeId; offsets[k] = (s.Starts[i], s.Ends[i]);
        }
        if (addSpecialTokens)
            for (int i = 0; i < SuffixIds.Length; i++, k++) { ids[k] = SuffixIds[i]; types[k] = SuffixTypeIds[i]; }
        if (total > maxLength && maxLength >= 0)
        {
            // fewer room than special tokens: keep the first maxLength
            Array.Resize(ref ids, maxLength); Array.Resize(ref types, maxLength); Array.Resize(ref offsets, maxLength);
        }
        return new TokenizedText(ids, types, offsets);
    }

    /// <summary>Reads <c>post_processor</c> of a tokenizer.json (null → no special tokens); also returns the first and last special token names.</summary>
    public static (SpecialTokensTemplate Template, string? Cls, string? Sep) Read(
        JsonElement root, string path, Dictionary<string, int> vocab, List<AddedToken> added)
    {
        if (JsonFile.Get(root, "post_processor") is not { } p) return (SpecialTokensTemplate.None, null, null);
        string? type = JsonFile.String(p, "type", path, "post_processor.type");
        switch (type)
        {
            case "BertProcessing":
            case "RobertaProcessing":
            {
                var (cls, clsId) = ReadPair(p, "cls", path);
                var (sep, sepId) = ReadPair(p, "sep", path);
                bool trim = type == "RobertaProcessing" && (JsonFile.Bool(p, "trim_offsets", path, "post_processor.trim_offsets") ?? true);
                bool prefix = type == "RobertaProcessing" && (JsonFile.Bool(p, "add_prefix_space", path, "post_processor.add_prefix_space") ?? true);
                return (new SpecialTokensTemplate([clsId], [0], [sepId], [0], 0) { TrimOffsets = trim, AddPrefixSpace = prefix }, cls, sep);
            }
            case "TemplateProcessing":
            {
                var single = JsonFile.Require(p, "single", path, "post_processor.single");
                var specials = JsonFile.Get(p, "special_tokens");
                List<int> preIds = [], preTypes = [], sufIds = [], sufTypes = [];
                int seqType = 0;
                bool seenSequence = false;
                string? first = null, last = null;
                int i = 0;
                foreach (var piece in single.EnumerateArray())
                {
                    string field = $"post_processor.single[{i++}]";
                    if (JsonFile.Get(piece, "Sequence") is { } seq)
                    {
                        seenSequence = true;
                        seqType = (int)(JsonFile.Long(seq, "type_id", path, field + ".Sequence.type_id") ?? 0);
                    }
                    else if (JsonFile.Get(piece, "SpecialToken") is { } st)
                    {
                        string id = JsonFile.String(st, "id", path, field + ".SpecialToken.id")
                            ?? throw new ModelFormatException(path, $"field '{field}.SpecialToken.id' is missing");
                        int typeId = (int)(JsonFile.Long(st, "type_id", path, field + ".SpecialToken.type_id") ?? 0);
                        var ids = SpecialIds(id, specials, path, vocab, added);
                        (seenSequence ? sufIds : preIds).AddRange(ids);
                        (seenSequence ? sufTypes : preTypes).AddRange(Enumerable.Repeat(typeId, ids.Count));
                        if (!seenSequence) first ??= id; else last = id;
                    }
                    else throw new ModelFormatException(path, $"field '{field}': expected Sequence or SpecialToken");
                }
                return (new SpecialTokensTemplate(preIds.ToArray(), preTypes.ToArray(), sufIds.ToArray(), sufTypes.ToArray(), seqType), first, last);
            }
            case "ByteLevel":
                return (new SpecialTokensTemplate([], [], [], [], 0)
                {
                    TrimOffsets = JsonFile.Bool(p, "trim_offsets", path, "post_processor.trim_offsets") ?? true,
                    AddPrefixSpace = JsonFile.Bool(p, "add_prefix_space", path, "post_processor.add_prefix_space") ?? true,
                }, null, null);
            default:
                throw new ModelFormatException(path, $"field 'post_processor.type': expected TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel or null, found '{type}'");
        }
    }

    private static List<int> SpecialIds(string name, JsonElement? specials, string path, Dictionary<string, int> vocab, List<AddedToken> added)
    {
        if (specials is { } s && JsonFile.Get(s, name) is { } entry && JsonFile.Get(entry, "ids") is { ValueKind: JsonValueKind.Array } ids)
            return ids.EnumerateArray().Select(e => e.GetInt32()).ToList();
        if (added.FirstOrDefault(t => t.Content == name) is { } a) return [a.Id];
        if (vocab.TryGetValue(name, out int id)) return [id];
        throw new ModelFormatException(path, $"field 'post_processor.special_tokens': no ids for '{name}'");
    }

    private static (string Token, int Id) ReadPair(JsonElement p, string name, string path)
    {
        var e = JsonFile.Require(p, name, path, "post_processor." + name);
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 2 || e[0].ValueKind != JsonValueKind.String || !e[1].TryGetInt32(out int id))
            throw new ModelFormatException(path, $"field 'post_processor.{name}': expected [token, id]");
        return (e[0].GetString()!, id);
    }
}
