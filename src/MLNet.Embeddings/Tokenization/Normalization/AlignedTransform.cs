namespace MLNet.Embeddings.Tokenization.Normalization;

/// <summary>
/// HF's <c>NormalizedString::transform_range</c> as a cursor over the input: each written code point comes with
/// HF's <c>change</c> — <c>0</c> replaces the next input code point (and takes its span), <c>-N</c> replaces it and
/// also consumes the N after it, <c>&gt; 0</c> inserts (taking the span of the last consumed code point, or the
/// empty span at the origin when none was consumed yet). Input left unconsumed at the end is simply dropped,
/// as in HF. Spans are the same for both halves of a surrogate pair.
/// </summary>
internal struct AlignedTransform
{
    private readonly NormalizedText _in;
    private readonly NormalizedText _out;
    private readonly int _origin;

    public AlignedTransform(NormalizedText input, NormalizedText output, int origin)
    {
        _in = input;
        _out = output;
        _origin = origin;
        output.Clear();
        output.EnsureRoom(input.Length);
    }

    /// <summary>Index of the next input unit to consume.</summary>
    public int Position { get; private set; }

    /// <summary>Writes <paramref name="cp"/> with HF's <paramref name="change"/>.</summary>
    public void Push(int cp, int change)
    {
        int start, end;
        if (change > 0)
        {
            if (Position < 1) { start = end = _origin; }
            else { start = _in.Starts[Position - 1]; end = _in.Ends[Position - 1]; }
        }
        else
        {
            if (Position < _in.Length) { start = _in.Starts[Position]; end = _in.Ends[Position]; }
            else if (Position > 0) { start = _in.Starts[Position - 1]; end = _in.Ends[Position - 1]; }
            else { start = end = _origin; }
            Skip(1 - change);
        }
        _out.Append(cp, start, end);
    }

    /// <summary>Consumes <paramref name="count"/> input code points without writing (HF's <c>initial_offset</c>).</summary>
    public void Skip(int count)
    {
        for (int i = 0; i < count && Position < _in.Length; i++)
            Position += char.IsHighSurrogate(_in.Chars[Position]) && Position + 1 < _in.Length && char.IsLowSurrogate(_in.Chars[Position + 1]) ? 2 : 1;
    }

    /// <summary>Copies input units unchanged (change 0) up to input index <paramref name="end"/>.</summary>
    public void CopyTo(int end)
    {
        _out.EnsureRoom(end - Position);
        for (; Position < end; Position++)
        {
            int n = _out.Length;
            _out.Chars[n] = _in.Chars[Position];
            _out.Starts[n] = _in.Starts[Position];
            _out.Ends[n] = _in.Ends[Position];
            _out.Length = n + 1;
        }
    }
}
