using System.Collections.Concurrent;

namespace MLNet.Embeddings.Tokenization.Bpe;

/// <summary>
/// Byte-pair encoding of one pre-tokenized word (HF <c>models/bpe</c>): start from its characters' ids, then
/// repeatedly merge the adjacent pair with the lowest merge rank (leftmost first on ties) until no pair has a
/// merge. Results of words seen before come from a bounded cache. Characters missing from the vocabulary become
/// the unknown token (fused when <c>fuse_unk</c>) or are dropped when there is none, as in HF; with
/// <c>byte_fallback</c> they become their UTF-8 bytes' <c>&lt;0xAB&gt;</c> tokens first (the first byte token carries the
/// character's length, the others length 0).
/// </summary>
internal sealed class BpeModel
{
    private const int CacheCapacity = 10_000, MaxCachedWordLength = 256;

    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<long, (int Rank, int Id)> _merges;
    private readonly ConcurrentDictionary<string, (int[] Ids, int[] Lengths)> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int[] Ids, int[] Lengths)>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;

    public BpeModel(Dictionary<string, int> vocab, IReadOnlyList<(string A, string B)> merges, int? unkId, bool fuseUnk,
        string prefix, string suffix, bool ignoreMerges, string path, bool byteFallback = false)
    {
        ByteFallback = byteFallback;
        Vocab = vocab;
        UnkId = unkId;
        FuseUnk = fuseUnk;
        Prefix = prefix;
        Suffix = suffix;
        IgnoreMerges = ignoreMerges;
        _lookup = new Dictionary<string, int>(vocab, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
        _merges = new Dictionary<long, (int, int)>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (a, b) = merges[rank];
            if (!vocab.TryGetValue(a, out int ia) || !vocab.TryGetValue(b, out int ib))
                throw new ModelFormatException(path, $"field 'model.merges[{rank}]': '{a} {b}' uses a token missing from model.vocab");
            string merged = a + (prefix.Length > 0 && b.StartsWith(prefix, StringComparison.Ordinal) ? b[prefix.Length..] : b);
            if (!vocab.TryGetValue(merged, out int id))
                throw new ModelFormatException(path, $"field 'model.merges[{rank}]': merged token '{merged}' is missing from model.vocab");
            _merges.TryAdd(Key(ia, ib), (rank, id));
        }
    }

    public Dictionary<string, int> Vocab { get; }
    public int? UnkId { get; }
    public bool FuseUnk { get; }
    public string Prefix { get; }
    public string Suffix { get; }
    public bool IgnoreMerges { get; }
    public bool ByteFallback { get; }

    /// <summary>
    /// Encodes <paramref name="word"/> (byte-level characters, one per input byte) and appends, per token, its id and
    /// its length in characters of <paramref name="word"/>.
    /// </summary>
    public void Tokenize(ReadOnlySpan<char> word, List<int> ids, List<int> lengths)
    {
        if (word.IsEmpty) return;
        if (IgnoreMerges && _lookup.TryGetValue(word, out int whole)) { ids.Add(whole); lengths.Add(word.Length); return; }
        if (_cacheLookup.TryGetValue(word, out var hit)) { ids.AddRange(hit.Ids); lengths.AddRange(hit.Lengths); return; }
        var symIds = new List<int>(word.Length);
        var symLens = new List<int>(word.Length);
        int unk = -1, unkLen = 0;
        Span<char> buf = stackalloc char[Prefix.Length + Suffix.Length + 2];
        for (int i = 0; i < word.Length;)
        {
            int w = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
            var c = word.Slice(i, w);
            bool first = i == 0, last = i + w == word.Length;
            i += w;
            scoped ReadOnlySpan<char> s = c;
            if ((!first && Prefix.Length > 0) || (last && Suffix.Length > 0))
            {
                int len = 0;
                if (!first) { Prefix.AsSpan().CopyTo(buf); len = Prefix.Length; }
                c.CopyTo(buf[len..]); len += c.Length;
                if (last) { Suffix.AsSpan().CopyTo(buf[len..]); len += Suffix.Length; }
                s = buf[..len];
            }
            if (_lookup.TryGetValue(s, out int id))
            {
                if (unk >= 0) { symIds.Add(unk); symLens.Add(unkLen); unk = -1; }
                symIds.Add(id); symLens.Add(w);
            }
            else if (ByteFallback && TryBytes(c, symIds, symLens, ref unk, unkLen)) { }
            else if (UnkId is { } u)
            {
                if (unk >= 0 && FuseUnk) unkLen += w;
                else
                {
                    if (unk >= 0) { symIds.Add(unk); symLens.Add(unkLen); }
                    unk = u; unkLen = w;
                }
            }
        }
        if (unk >= 0) { symIds.Add(unk); symLens.Add(unkLen); }
        MergeAll(symIds, symLens);
        if (word.Length <= MaxCachedWordLength)
        {
            if (_cache.Count >= CacheCapacity) _cache.Clear();
            _cache.TryAdd(word.ToString(), (symIds.ToArray(), symLens.ToArray()));
        }
        ids.AddRange(symIds);
        lengths.AddRange(symLens);
    }

    /// <summary>HF byte fallback: the character's UTF-8 bytes as <c>&lt;0xAB&gt;</c> tokens, when all of them exist.</summary>
    private bool TryBytes(ReadOnlySpan<char> c, List<int> ids, List<int> lens, ref int unk, int unkLen)
    {
        Span<byte> bytes = stackalloc byte[4];
        int n = System.Text.Encoding.UTF8.GetBytes(c, bytes);
        Span<int> found = stackalloc int[4];
        Span<char> name = stackalloc char[6];
        for (int k = 0; k < n; k++)
        {
            $"<0x{bytes[k]:X2}>".AsSpan().CopyTo(name);
            if (!_lookup.TryGetValue(name, out found[k])) return false;
        }
        if (unk >= 0) { ids.Add(unk); lens.Add(unkLen); unk = -1; }
        for (int k = 0; k < n; k++) { ids.Add(found[k]); lens.Add(k == 0 ? c.Length : 0); }
        return true;
    }

    private void MergeAll(List<int> ids, List<int> lens)
    {
        while (ids.Count > 1)
        {
            int best = -1, bestRank = int.MaxValue, bestId = 0;
            for (int i = 0; i + 1 < ids.Count; i++)
                if (_merges.TryGetValue(Key(ids[i], ids[i + 1]), out var m) && m.Rank < bestRank)
                {
                    best = i; bestRank = m.Rank; bestId = m.Id;
                }
            if (best < 0) return;
            ids[best] = bestId;
            lens[best] += lens[best + 1];
            ids.RemoveAt(best + 1);
            lens.RemoveAt(best + 1);
        }
    }

    private static long Key(int a, int b) => ((long)a << 32) | (uint)b;
}
