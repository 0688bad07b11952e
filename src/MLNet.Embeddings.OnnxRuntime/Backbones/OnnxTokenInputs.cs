using MLNet.Embeddings.Backbones;

namespace MLNet.Embeddings.OnnxRuntime.Backbones;

/// <summary>
/// The token inputs of a Hugging Face-style ONNX graph, filled from a packed <see cref="TokenBatch"/> padded to its
/// longest sequence: <c>input_ids</c> and, when the graph has them, <c>attention_mask</c>, <c>token_type_ids</c>,
/// <c>position_ids</c> (each int64 or int32, as declared) and the empty <c>past_key_values.N.key/value</c> of decoder
/// exports ([batch, kv_heads, 0, head_dim], float or float16). Shared by the encoder backbone and the cross-encoder.
/// </summary>
internal sealed class OnnxTokenInputs
{
    readonly OrtElementType _idType;
    readonly OrtElementType? _maskType, _typeIdType, _positionType;
    readonly PastInput[] _past;
    Buffers? _buffers;

    /// <summary>An empty past key/value input of a decoder export: its name, element type and fixed head shape.</summary>
    sealed record PastInput(string Name, OrtElementType Type, long Heads, long HeadDim, Array Empty);

    /// <exception cref="ModelFormatException">The graph has no input_ids, ids of another type, or inputs this class does not fill.</exception>
    public OnnxTokenInputs(OrtSession session, string modelPath)
    {
        var ids = session.Inputs.FirstOrDefault(i => i.Name == "input_ids")
            ?? throw new ModelFormatException(modelPath, $"the ONNX model has no 'input_ids' input (inputs: {string.Join(", ", session.Inputs)}).");
        _idType = IdType(ids, modelPath);
        var past = new List<PastInput>();
        var extra = new List<OrtValueInfo>();
        foreach (var input in session.Inputs)
        {
            switch (input.Name)
            {
                case "input_ids": break;
                case "attention_mask": _maskType = IdType(input, modelPath); break;
                case "token_type_ids": _typeIdType = IdType(input, modelPath); break;
                case "position_ids": _positionType = IdType(input, modelPath); break;
                default:
                    if (IsPast(input.Name)) past.Add(Past(input, modelPath));
                    else extra.Add(input);
                    break;
            }
        }
        if (extra.Count > 0)
            throw new ModelFormatException(modelPath, $"unsupported ONNX inputs {string.Join(", ", extra)}; expected input_ids, attention_mask, token_type_ids, position_ids, past_key_values.N.key/value.");
        _past = past.ToArray();
    }

    static OrtElementType IdType(OrtValueInfo input, string modelPath)
        => input.ElementType is OrtElementType.Int64 or OrtElementType.Int32 ? input.ElementType
            : throw new ModelFormatException(modelPath, $"input '{input.Name}' must be int64 or int32, found {input.ElementType}.");

    static bool IsPast(string name)
        => name.StartsWith("past_key_values.", StringComparison.Ordinal) && (name.EndsWith(".key", StringComparison.Ordinal) || name.EndsWith(".value", StringComparison.Ordinal));

    static PastInput Past(OrtValueInfo input, string modelPath)
    {
        if (input.Shape.Length != 4 || input.Shape[1] <= 0 || input.Shape[3] <= 0)
            throw new ModelFormatException(modelPath, $"input '{input}' must be [batch, kv_heads, past_sequence, head_dim] with fixed kv_heads and head_dim.");
        Array empty = input.ElementType switch
        {
            OrtElementType.Float => new float[1],
            OrtElementType.Float16 => new Half[1],
            _ => throw new ModelFormatException(modelPath, $"input '{input.Name}' is {input.ElementType}; expected Float or Float16."),
        };
        return new PastInput(input.Name, input.ElementType, input.Shape[1], input.Shape[3], empty);
    }

    /// <summary>The input tensors of a batch in fresh arrays.</summary>
    public List<OrtTensor> Fresh(TokenBatch batch, int maxPositions, out int width)
        => Fill(NewBuffers(Math.Max(1, batch.Count * Math.Max(1, batch.MaxLength))), batch, maxPositions, out width);

    /// <summary>
    /// The input tensors of a batch in buffers reused across batches (one set per concurrent call; a call that finds the
    /// set taken, or too small, makes its own). Give them back with <see cref="Return"/>.
    /// </summary>
    public Buffers Rent(TokenBatch batch, int maxPositions, out List<OrtTensor> inputs, out int width)
    {
        int needed = Math.Max(1, batch.Count * Math.Max(1, batch.MaxLength));
        var buffers = Interlocked.Exchange(ref _buffers, null);
        if (buffers is null || buffers.Capacity < needed) buffers = NewBuffers(needed);
        inputs = Fill(buffers, batch, maxPositions, out width);
        return buffers;
    }

    public void Return(Buffers buffers) => _buffers = buffers;

    Buffers NewBuffers(int capacity) => new(capacity, Make(_idType, capacity)!, Make(_maskType, capacity), Make(_typeIdType, capacity), Make(_positionType, capacity));

    static Array? Make(OrtElementType? type, int n) => type switch
    {
        null => null,
        OrtElementType.Int64 => new long[n],
        _ => new int[n],
    };

    enum Field { Ids, Mask, TypeIds, Positions }

    List<OrtTensor> Fill(Buffers buffers, TokenBatch batch, int maxPositions, out int width)
    {
        int n = batch.Count, t = Math.Max(1, batch.MaxLength);
        width = t;
        if (t > maxPositions) throw new ArgumentException($"A sequence has {t} tokens; the model accepts at most {maxPositions}.");
        var list = new List<OrtTensor>(4 + _past.Length) { Put(buffers.Ids, "input_ids", Field.Ids, batch, t) };
        if (buffers.Mask is not null) list.Add(Put(buffers.Mask, "attention_mask", Field.Mask, batch, t));
        if (buffers.TypeIds is not null) list.Add(Put(buffers.TypeIds, "token_type_ids", Field.TypeIds, batch, t));
        if (buffers.Positions is not null) list.Add(Put(buffers.Positions, "position_ids", Field.Positions, batch, t));
        foreach (var p in _past) list.Add(new OrtTensor(p.Name, p.Type, p.Empty, [n, p.Heads, 0, p.HeadDim]));
        return list;
    }

    static OrtTensor Put(Array buffer, string name, Field field, TokenBatch batch, int t) => buffer switch
    {
        long[] a => new OrtTensor(name, OrtElementType.Int64, Write(a, field, batch, t), [batch.Count, t]),
        int[] a => new OrtTensor(name, OrtElementType.Int32, Write(a, field, batch, t), [batch.Count, t]),
        _ => throw new InvalidOperationException(name),
    };

    /// <summary>One padded [n, t] input: ids / type ids (0 in padding), mask 1/0, positions 0..t−1 (padding is masked, so its positions do not matter).</summary>
    static T[] Write<T>(T[] a, Field field, TokenBatch batch, int t) where T : struct, System.Numerics.INumber<T>
    {
        for (int i = 0; i < batch.Count; i++)
        {
            int s = batch.Starts[i], len = batch.Length(i);
            var row = a.AsSpan(i * t, t);
            switch (field)
            {
                case Field.Ids: for (int k = 0; k < len; k++) row[k] = T.CreateTruncating(batch.Ids[s + k]); row[len..].Clear(); break;
                case Field.TypeIds: for (int k = 0; k < len; k++) row[k] = T.CreateTruncating(batch.TypeIds[s + k]); row[len..].Clear(); break;
                case Field.Mask: row[..len].Fill(T.One); row[len..].Clear(); break;
                default: for (int k = 0; k < t; k++) row[k] = T.CreateTruncating(k); break;
            }
        }
        return a;
    }

    /// <summary>The padded input arrays of one call (ids, and mask, type ids, positions when the graph has them), int64 or int32 as the graph wants.</summary>
    public sealed record Buffers(int Capacity, Array Ids, Array? Mask, Array? TypeIds, Array? Positions);
}
