namespace MLNet.Embeddings.Tokenization.Unigram;

/// <summary>
/// SentencePiece's Unigram model as HF runs it (<c>models/unigram</c>, <c>encode_optimized</c>): Viterbi over the
/// text, each piece scoring its log-probability; a character no piece starts with becomes the unknown token with
/// score <c>min_score − 10</c>, and runs of unknown characters are fused into one unknown token.
/// Candidate pieces are looked up by span, up to the longest piece's length.
/// </summary>
internal sealed class UnigramModel
{
    private const double UnkPenalty = 10.0;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly double[] _scores;
    private readonly double _unkScore;
    private readonly int _maxPiece;
    [ThreadStatic] private static double[]? t_score;
    [ThreadStatic] private static int[]? t_from, t_id;

    public UnigramModel(IReadOnlyList<(string Piece, double Score)> vocab, int unkId)
    {
        Pieces = vocab.Select(v => v.Piece).ToArray();
        _scores = vocab.Select(v => v.Score).ToArray();
        var ids = new Dictionary<string, int>(vocab.Count, StringComparer.Ordinal);
        for (int i = 0; i < vocab.Count; i++) ids.TryAdd(vocab[i].Piece, i);
        Ids = ids;
        _lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        _unkScore = _scores.Min() - UnkPenalty;
        _maxPiece = Pieces.Max(p => p.Length);
        UnkId = unkId;
    }

    public string[] Pieces { get; }
    public Dictionary<string, int> Ids { get; }
    public int UnkId { get; }

    /// <summary>Segments <paramref name="text"/>; appends (id, start, end) per token, positions relative to <paramref name="text"/>.</summary>
    public void Encode(ReadOnlySpan<char> text, List<(int Id, int Start, int End)> output)
    {
        int n = text.Length;
        if (n == 0) return;
        if (t_score is null || t_score.Length < n + 1)
        {
            int size = Math.Max(n + 1, 256);
            t_score = new double[size]; t_from = new int[size]; t_id = new int[size];
        }
        var score = t_score;
        var from = t_from!;
        var id = t_id!;
        score[0] = 0;
        from.AsSpan(0, n + 1).Fill(-1);
        for (int start = 0; start < n;)
        {
            if (start > 0 && from[start] < 0) { start++; continue; } // inside a surrogate pair
            double here = score[start];
            int width = char.IsHighSurrogate(text[start]) && start + 1 < n && char.IsLowSurrogate(text[start + 1]) ? 2 : 1;
            bool single = false;
            int limit = Math.Min(n, start + _maxPiece);
            for (int end = start + 1; end <= limit; end++)
            {
                if (end < n && char.IsLowSurrogate(text[end]) && char.IsHighSurrogate(text[end - 1])) continue;
                if (!_lookup.TryGetValue(text[start..end], out int piece)) continue;
                double candidate = here + _scores[piece];
                if (from[end] < 0 || candidate > score[end]) { score[end] = candidate; from[end] = start; id[end] = piece; }
                if (end - start == width) single = true;
            }
            if (!single)
            {
                int end = start + width;
                double candidate = here + _unkScore;
                if (from[end] < 0 || candidate > score[end]) { score[end] = candidate; from[end] = start; id[end] = UnkId; }
            }
            start += width;
        }
        // walk back; fuse consecutive unknowns
        int mark = output.Count;
        int unkEnd = -1, unkStart = -1;
        for (int end = n; end > 0;)
        {
            int start = from[end];
            if (id[end] == UnkId)
            {
                if (unkEnd < 0) unkEnd = end;
                unkStart = start;
            }
            else
            {
                FlushUnk(text, output, ref unkStart, ref unkEnd);
                output.Add((id[end], start, end));
            }
            end = start;
        }
        FlushUnk(text, output, ref unkStart, ref unkEnd);
        output.Reverse(mark, output.Count - mark);
    }

    private void FlushUnk(ReadOnlySpan<char> text, List<(int, int, int)> output, ref int start, ref int end)
    {
        if (end < 0) return;
        // HF looks the fused string up again; it is almost always absent (→ unknown)
        int tokenId = _lookup.TryGetValue(text[start..end], out int found) ? found : UnkId;
        output.Add((tokenId, start, end));
        start = end = -1;
    }
}
