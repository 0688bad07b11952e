using System.Runtime.InteropServices;

namespace MLNet.Embeddings.Training.Data;

/// <summary>
/// Near-duplicate detection with MinHash signatures over shingles and locality-sensitive hashing (banding):
/// texts are added one by one; <see cref="FindSimilar"/> returns earlier texts whose estimated Jaccard
/// similarity reaches <see cref="NearDuplicateOptions.Threshold"/>. Memory: one signature (Bands × RowsPerBand
/// 32-bit values) per added text plus the band buckets.
/// </summary>
public sealed class NearDuplicateIndex
{
    private readonly NearDuplicateOptions _o;
    private readonly int _k;
    private readonly ulong[] _seeds;
    private readonly uint[] _mulA;   // per hash function: h_i(x) = mix((a_i·x + b_i) mod 2^32)
    private readonly uint[] _addB;
    private readonly List<uint[]> _signatures = new();
    private readonly Dictionary<ulong, List<int>>[] _buckets;

    /// <summary>Creates an empty index.</summary>
    public NearDuplicateIndex(NearDuplicateOptions? options = null)
    {
        _o = options ?? new NearDuplicateOptions();
        if (_o.Bands < 1 || _o.RowsPerBand < 1 || _o.ShingleSize < 1) throw new ArgumentException("Bands, RowsPerBand and ShingleSize must be positive");
        _k = _o.Bands * _o.RowsPerBand;
        _seeds = new ulong[_k];
        ulong s = (ulong)_o.Seed * 0x9E3779B97F4A7C15UL + 1;
        for (int i = 0; i < _k; i++) _seeds[i] = SplitMix(ref s);
        _mulA = new uint[_k];
        _addB = new uint[_k];
        for (int i = 0; i < _k; i++) { _mulA[i] = (uint)_seeds[i] | 1u; _addB[i] = (uint)(_seeds[i] >> 32); }
        _buckets = new Dictionary<ulong, List<int>>[_o.Bands];
        for (int b = 0; b < _o.Bands; b++) _buckets[b] = new Dictionary<ulong, List<int>>();
    }

    /// <summary>Number of texts added.</summary>
    public int Count => _signatures.Count;

    /// <summary>The MinHash signature of a text (normalised with <see cref="TextNormalizer.Key"/> first).</summary>
    public uint[] Signature(string text) => SignatureOfKey(TextNormalizer.Key(text));

    /// <summary>
    /// The signature of an already normalised key. Hash function i maps a shingle's 64-bit hash x to
    /// mix(a_i·x + b_i mod 2^32) with odd a_i (a permutation of 32-bit values), computed for all i at once with SIMD.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal uint[] SignatureOfKey(string key)
    {
        var sig = new uint[_k];
        Array.Fill(sig, uint.MaxValue);
        int w = System.Numerics.Vector<uint>.Count;
        var mixC = new System.Numerics.Vector<uint>(0x85EBCA6Bu);
        foreach (var h in Shingles(key))
        {
            var x = new System.Numerics.Vector<uint>((uint)h ^ (uint)(h >> 32));
            int i = 0;
            for (; i + w <= _k; i += w)
            {
                var v = x * new System.Numerics.Vector<uint>(_mulA, i) + new System.Numerics.Vector<uint>(_addB, i);
                v ^= System.Numerics.Vector.ShiftRightLogical(v, 16);
                v *= mixC;
                v ^= System.Numerics.Vector.ShiftRightLogical(v, 13);
                System.Numerics.Vector.Min(v, new System.Numerics.Vector<uint>(sig, i)).CopyTo(sig, i);
            }
            uint xs = (uint)h ^ (uint)(h >> 32);
            for (; i < _k; i++)
            {
                uint v = xs * _mulA[i] + _addB[i];
                v ^= v >> 16; v *= 0x85EBCA6Bu; v ^= v >> 13;
                if (v < sig[i]) sig[i] = v;
            }
        }
        return sig;
    }

    /// <summary>Adds a text; returns its id (0, 1, 2 … in order of addition).</summary>
    public int Add(string text) => Add(Signature(text));

    /// <summary>Adds a precomputed signature; returns its id.</summary>
    public int Add(uint[] signature)
    {
        int id = _signatures.Count;
        _signatures.Add(signature);
        for (int b = 0; b < _o.Bands; b++)
        {
            ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(_buckets[b], BandHash(signature, b), out _);
            (list ??= new List<int>(1)).Add(id);
        }
        return id;
    }

    /// <summary>Ids of added texts whose estimated Jaccard with <paramref name="signature"/> is at least the threshold, with that estimate.</summary>
    public List<(int Id, double Similarity)> FindSimilar(uint[] signature)
    {
        var result = new List<(int, double)>();
        HashSet<int>? seen = null;
        for (int b = 0; b < _o.Bands; b++)
        {
            if (!_buckets[b].TryGetValue(BandHash(signature, b), out var list)) continue;
            foreach (var id in list)
            {
                seen ??= new HashSet<int>();
                if (!seen.Add(id)) continue;
                double sim = Similarity(signature, _signatures[id]);
                if (sim >= _o.Threshold) result.Add((id, sim));
            }
        }
        return result;
    }

    /// <summary>The most similar added text at or above the threshold, or null.</summary>
    public (int Id, double Similarity)? FindBest(uint[] signature)
    {
        (int, double)? best = null;
        foreach (var (id, sim) in FindSimilar(signature))
            if (best is null || sim > best.Value.Item2) best = (id, sim);
        return best;
    }

    /// <summary>Estimated Jaccard similarity of two signatures: the share of equal positions.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double Similarity(uint[] a, uint[] b)
    {
        int eq = 0, i = 0, w = System.Numerics.Vector<uint>.Count;
        var acc = System.Numerics.Vector<uint>.Zero;
        for (; i + w <= a.Length; i += w)
            acc -= System.Numerics.Vector.Equals(new System.Numerics.Vector<uint>(a, i), new System.Numerics.Vector<uint>(b, i));   // true lanes are all ones (= −1)
        eq = (int)System.Numerics.Vector.Sum(acc);
        for (; i < a.Length; i++) if (a[i] == b[i]) eq++;
        return (double)eq / a.Length;
    }

    /// <summary>Exact Jaccard similarity of two texts' shingle sets (for tests and small data).</summary>
    public double ExactJaccard(string a, string b)
    {
        var sa = new HashSet<ulong>(Shingles(TextNormalizer.Key(a)));
        var sb = new HashSet<ulong>(Shingles(TextNormalizer.Key(b)));
        if (sa.Count == 0 && sb.Count == 0) return 1;
        int inter = sa.Count(sb.Contains);
        return (double)inter / (sa.Count + sb.Count - inter);
    }

    private IEnumerable<ulong> Shingles(string key)
    {
        int n = _o.ShingleSize;
        if (_o.WordShingles)
        {
            var words = key.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length <= n) { yield return Fnv(string.Join(' ', words)); yield break; }
            for (int i = 0; i + n <= words.Length; i++) yield return Fnv(string.Join(' ', words, i, n));
        }
        else
        {
            if (key.Length <= n) { yield return Fnv(key); yield break; }
            for (int i = 0; i + n <= key.Length; i++) yield return Fnv(key.AsSpan(i, n));
        }
    }

    private ulong BandHash(uint[] sig, int band)
    {
        ulong h = 1469598103934665603UL ^ (ulong)band;
        int start = band * _o.RowsPerBand;
        for (int r = 0; r < _o.RowsPerBand; r++) h = Mix(h ^ sig[start + r]) + (ulong)r;
        return h;
    }

    private static ulong Fnv(ReadOnlySpan<char> s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s) { h ^= c; h *= 1099511628211UL; }
        return Mix(h);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong SplitMix(ref ulong s)
    {
        s += 0x9E3779B97F4A7C15UL;
        return Mix(s);
    }
}
