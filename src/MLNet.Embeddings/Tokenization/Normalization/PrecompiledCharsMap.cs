using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;

namespace MLNet.Embeddings.Tokenization.Normalization;

/// <summary>
/// SentencePiece's <c>precompiled_charsmap</c> (what HF's <c>spm_precompiled</c> reads): a little-endian u32 with
/// the trie's size in bytes, the darts-clone double-array trie (u32 units) over UTF-8 byte strings, then the pool
/// of replacement strings, each ended by a NUL; a trie value is the byte offset of its replacement in the pool.
/// </summary>
internal sealed class PrecompiledCharsMap
{
    private readonly uint[] _units;
    private readonly byte[] _pool;
    private readonly ConcurrentDictionary<int, string> _strings = new();

    /// <exception cref="FormatException">The blob is too short or its parts are inconsistent.</exception>
    public PrecompiledCharsMap(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 4) throw new FormatException("precompiled_charsmap is shorter than its 4-byte header");
        uint trieSize = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieSize % 4 != 0 || trieSize == 0 || trieSize > blob.Length - 4)
            throw new FormatException($"precompiled_charsmap: trie size {trieSize} does not fit the {blob.Length}-byte blob");
        _units = new uint[trieSize / 4];
        for (int i = 0; i < _units.Length; i++) _units[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob[(4 + 4 * i)..]);
        _pool = blob[(4 + (int)trieSize)..].ToArray();
        if (!System.Text.Unicode.Utf8.IsValid(_pool)) throw new FormatException("precompiled_charsmap: the replacement pool is not valid UTF-8");
    }

    /// <summary>Number of trie units.</summary>
    public int TrieUnits => _units.Length;

    private static bool HasLeaf(uint u) => ((u >> 8) & 1) == 1;
    private static int Value(uint u) => (int)(u & 0x7FFFFFFF);
    private static uint Label(uint u) => u & 0x800000FF;
    private static int Offset(uint u) => (int)((u >> 10) << (int)((u & (1u << 9)) >> 6));

    /// <summary>
    /// Values of every key that is a prefix of <paramref name="key"/>, shortest first (darts-clone's
    /// commonPrefixSearch; a NUL byte ends the key). At most <paramref name="results"/>.Length are written.
    /// </summary>
    public int CommonPrefixSearch(ReadOnlySpan<byte> key, Span<int> results, Span<int> lengths = default)
    {
        int found = 0;
        int pos = 0;
        uint unit = _units[0];
        pos ^= Offset(unit);
        for (int i = 0; i < key.Length; i++)
        {
            byte c = key[i];
            if (c == 0) break;
            pos ^= c;
            if ((uint)pos >= (uint)_units.Length) break;
            unit = _units[pos];
            if (Label(unit) != c) break;
            pos ^= Offset(unit);
            if (HasLeaf(unit) && (uint)pos < (uint)_units.Length)
            {
                if (found < results.Length)
                {
                    results[found] = Value(_units[pos]);
                    if (found < lengths.Length) lengths[found] = i + 1;
                }
                found++;
            }
        }
        return found;
    }

    /// <summary>
    /// HF's <c>Precompiled::transform</c>: the replacement of the shortest key that is a prefix of
    /// <paramref name="utf8"/> (not necessarily all of it), or null when no key is.
    /// </summary>
    public string? Transform(ReadOnlySpan<byte> utf8)
    {
        Span<int> first = stackalloc int[1];
        return CommonPrefixSearch(utf8, first) == 0 ? null : Replacement(first[0]);
    }

    /// <summary>The NUL-ended replacement string at byte <paramref name="index"/> of the pool.</summary>
    public string Replacement(int index)
    {
        if (_strings.TryGetValue(index, out var s)) return s;
        if ((uint)index > (uint)_pool.Length) throw new FormatException($"precompiled_charsmap: replacement offset {index} is outside the pool");
        int end = _pool.AsSpan(index).IndexOf((byte)0);
        s = Encoding.UTF8.GetString(_pool.AsSpan(index, end < 0 ? _pool.Length - index : end));
        return _strings.GetOrAdd(index, s);
    }
}
