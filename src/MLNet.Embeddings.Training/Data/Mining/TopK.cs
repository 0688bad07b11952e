namespace MLNet.Embeddings.Training.Data.Mining;

/// <summary>
/// Keeps the k best (score, id) pairs with a min-heap: O(n log k). Ties are broken towards the lower id so results
/// are deterministic. Reusable: call <c>Reset</c> between queries.
/// </summary>
internal sealed class TopK
{
    private (float Score, int Id)[] _heap;
    private int _count;

    public TopK(int k) { _heap = new (float, int)[Math.Max(1, k)]; K = k; }

    public int K { get; private set; }

    public void Reset() => _count = 0;

    /// <summary>Empties the heap and sets a new k (growing the storage if needed).</summary>
    public void Reset(int k)
    {
        _count = 0;
        K = k;
        if (_heap.Length < k) _heap = new (float, int)[k];
    }

    // a is "worse" than b: lower score, or same score and higher id
    private static bool Worse((float Score, int Id) a, (float Score, int Id) b) => a.Score < b.Score || (a.Score == b.Score && a.Id > b.Id);

    public void Add(float score, int id)
    {
        if (K == 0) return;
        var item = (score, id);
        if (_count < K)
        {
            int i = _count++;
            _heap[i] = item;
            while (i > 0)
            {
                int p = (i - 1) >> 1;
                if (!Worse(_heap[i], _heap[p])) break;
                (_heap[i], _heap[p]) = (_heap[p], _heap[i]);
                i = p;
            }
            return;
        }
        if (!Worse(_heap[0], item)) return;
        _heap[0] = item;
        int j = 0;
        while (true)
        {
            int l = 2 * j + 1, r = l + 1, m = j;
            if (l < _count && Worse(_heap[l], _heap[m])) m = l;
            if (r < _count && Worse(_heap[r], _heap[m])) m = r;
            if (m == j) break;
            (_heap[j], _heap[m]) = (_heap[m], _heap[j]);
            j = m;
        }
    }

    /// <summary>The kept pairs, best first.</summary>
    public List<(int Id, float Score)> Sorted()
    {
        var list = new List<(int Id, float Score)>(_count);
        for (int i = 0; i < _count; i++) list.Add((_heap[i].Id, _heap[i].Score));
        list.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Id.CompareTo(b.Id));
        return list;
    }
}
