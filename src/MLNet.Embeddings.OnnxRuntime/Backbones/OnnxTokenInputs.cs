using MLNet.Embeddings.Backbones;

namespace MLNet.Embeddings.OnnxRuntime.Backbones;

/// <summary>
/// The token inputs of a Hugging Face-style ONNX graph: <c>input_ids</c>, <c>attention_mask</c> and, when the graph has
/// it, <c>token_type_ids</c> (int64 or int32), filled from a packed <see cref="TokenBatch"/> padded to its longest sequence.
/// Shared by the encoder backbone and the cross-encoder.
/// </summary>
internal sealed class OnnxTokenInputs
{
    readonly OrtElementType _idType;
    readonly bool _hasTypeIds, _hasMask;
    Buffers? _buffers;

    /// <exception cref="ModelFormatException">The graph has no input_ids, ids of another type, or inputs beyond the three.</exception>
    public OnnxTokenInputs(OrtSession session, string modelPath)
    {
        var ids = session.Inputs.FirstOrDefault(i => i.Name == "input_ids")
            ?? throw new ModelFormatException(modelPath, $"the ONNX model has no 'input_ids' input (inputs: {string.Join(", ", session.Inputs)}).");
        _idType = ids.ElementType;
        if (_idType is not (OrtElementType.Int64 or OrtElementType.Int32))
            throw new ModelFormatException(modelPath, $"input_ids must be int64 or int32, found {_idType}.");
        _hasMask = session.Inputs.Any(i => i.Name == "attention_mask");
        _hasTypeIds = session.Inputs.Any(i => i.Name == "token_type_ids");
        var extra = session.Inputs.Where(i => i.Name is not ("input_ids" or "attention_mask" or "token_type_ids")).ToList();
        if (extra.Count > 0)
            throw new ModelFormatException(modelPath, $"unsupported ONNX inputs {string.Join(", ", extra)}; expected input_ids, attention_mask, token_type_ids.");
    }

    /// <summary>The input tensors of a batch in fresh arrays.</summary>
    public List<OrtTensor> Fresh(TokenBatch batch, int maxPositions, out int width)
        => Fill(new Buffers(_idType, Math.Max(1, batch.Count * Math.Max(1, batch.MaxLength))), batch, maxPositions, out width);

    /// <summary>
    /// The input tensors of a batch in buffers reused across batches (one set per concurrent call; a call that finds the
    /// set taken, or too small, makes its own). Give them back with <see cref="Return"/>.
    /// </summary>
    public Buffers Rent(TokenBatch batch, int maxPositions, out List<OrtTensor> inputs, out int width)
    {
        int needed = Math.Max(1, batch.Count * Math.Max(1, batch.MaxLength));
        var buffers = Interlocked.Exchange(ref _buffers, null);
        if (buffers is null || buffers.Capacity < needed) buffers = new Buffers(_idType, needed);
        inputs = Fill(buffers, batch, maxPositions, out width);
        return buffers;
    }

    public void Return(Buffers buffers) => _buffers = buffers;

    List<OrtTensor> Fill(Buffers buffers, TokenBatch batch, int maxPositions, out int width)
    {
        int n = batch.Count, t = Math.Max(1, batch.MaxLength);
        width = t;
        if (t > maxPositions) throw new ArgumentException($"A sequence has {t} tokens; the model accepts at most {maxPositions}.");
        var list = new List<OrtTensor>(3);
        if (_idType == OrtElementType.Int64)
        {
            long[] ids = (long[])buffers.Ids, mask = (long[])buffers.Mask, types = (long[])buffers.Types;
            for (int i = 0; i < n; i++)
            {
                int s = batch.Starts[i], len = batch.Length(i), row = i * t;
                for (int k = 0; k < len; k++) { ids[row + k] = batch.Ids[s + k]; types[row + k] = batch.TypeIds[s + k]; mask[row + k] = 1; }
                ids.AsSpan(row + len, t - len).Clear(); types.AsSpan(row + len, t - len).Clear(); mask.AsSpan(row + len, t - len).Clear();
            }
            list.Add(OrtTensor.Int64("input_ids", ids, n, t));
            if (_hasMask) list.Add(OrtTensor.Int64("attention_mask", mask, n, t));
            if (_hasTypeIds) list.Add(OrtTensor.Int64("token_type_ids", types, n, t));
        }
        else
        {
            int[] ids = (int[])buffers.Ids, mask = (int[])buffers.Mask, types = (int[])buffers.Types;
            for (int i = 0; i < n; i++)
            {
                int s = batch.Starts[i], len = batch.Length(i), row = i * t;
                for (int k = 0; k < len; k++) { ids[row + k] = batch.Ids[s + k]; types[row + k] = batch.TypeIds[s + k]; mask[row + k] = 1; }
                ids.AsSpan(row + len, t - len).Clear(); types.AsSpan(row + len, t - len).Clear(); mask.AsSpan(row + len, t - len).Clear();
            }
            list.Add(OrtTensor.Int32("input_ids", ids, n, t));
            if (_hasMask) list.Add(OrtTensor.Int32("attention_mask", mask, n, t));
            if (_hasTypeIds) list.Add(OrtTensor.Int32("token_type_ids", types, n, t));
        }
        return list;
    }

    /// <summary>The three padded input arrays (ids, mask, type ids) of one call, int64 or int32 as the graph wants.</summary>
    public sealed class Buffers(OrtElementType type, int capacity)
    {
        public int Capacity { get; } = capacity;
        public Array Ids { get; } = Make(type, capacity);
        public Array Mask { get; } = Make(type, capacity);
        public Array Types { get; } = Make(type, capacity);
        static Array Make(OrtElementType type, int n) => type == OrtElementType.Int64 ? new long[n] : new int[n];
    }
}
