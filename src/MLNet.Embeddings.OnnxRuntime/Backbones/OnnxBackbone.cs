using MLNet.Embeddings.Backbones;

namespace MLNet.Embeddings.OnnxRuntime.Backbones;

/// <summary>
/// A backbone that runs an ONNX model (Hugging Face / sentence-transformers / Optimum export) in ONNX Runtime.
/// Inputs <c>input_ids</c> and, when the graph has them, <c>attention_mask</c>, <c>token_type_ids</c> and
/// <c>position_ids</c> (0..length−1 per text), each int64 or int32 as the graph declares; decoder exports'
/// <c>past_key_values.N.key</c>/<c>.value</c> inputs are fed empty (<c>[batch, kv_heads, 0, head_dim]</c>) and
/// their <c>present.*</c> outputs are not read. Float16 outputs are widened to float. The packed batch is padded to
/// its longest sequence (the encoder batches by length, so padding is small) and the token output is unpadded back
/// into the packed layout.
/// </summary>
public class OnnxBackbone : IBackbone, IDisposable
{
    readonly string[] _tokenOutputs;
    readonly OnnxTokenInputs _inputs;
    readonly bool _halfTokens;

    /// <summary>Wraps an open session. Use <see cref="Open"/> unless you manage the session yourself.</summary>
    public OnnxBackbone(OrtSession session, string modelPath, int hiddenSize, int maxPositions, string? tokenOutput)
    {
        Session = session; ModelPath = modelPath; MaxPositions = maxPositions;
        _inputs = new OnnxTokenInputs(session, modelPath);
        TokenOutput = tokenOutput;
        _tokenOutputs = tokenOutput is null ? [] : [tokenOutput];
        if (tokenOutput is not null)
        {
            var info = session.Outputs.First(o => o.Name == tokenOutput);
            if (info.ElementType is not (OrtElementType.Float or OrtElementType.Float16))
                throw new ModelFormatException(modelPath, $"output '{tokenOutput}' is {info.ElementType}; expected Float or Float16.");
            _halfTokens = info.ElementType == OrtElementType.Float16;
            if (info.Shape.Length == 3 && info.Shape[2] > 0) hiddenSize = (int)info.Shape[2];
        }
        if (hiddenSize <= 0)
            throw new ModelFormatException(modelPath, "the hidden size is neither fixed in the ONNX output shape nor given in config.json (hidden_size).");
        HiddenSize = hiddenSize;
    }

    /// <summary>The ONNX Runtime session.</summary>
    public OrtSession Session { get; }
    /// <summary>The ONNX file.</summary>
    public string ModelPath { get; }
    /// <summary>The output read as token embeddings, or null when the graph has only a pooled output.</summary>
    public string? TokenOutput { get; }
    /// <inheritdoc/>
    public string ModelType => "onnx";
    /// <inheritdoc/>
    public int HiddenSize { get; }
    /// <inheritdoc/>
    public int MaxPositions { get; }

    /// <summary>
    /// Opens <paramref name="modelPath"/>. Returns an <see cref="OnnxPooledBackbone"/> when the graph has a
    /// <c>sentence_embedding</c> output (and <see cref="OnnxOptions.UsePooledOutput"/> is on), else a plain backbone.
    /// <paramref name="hiddenSize"/> and <paramref name="maxPositions"/> come from config.json when known (0 / int.MaxValue otherwise).
    /// </summary>
    public static OnnxBackbone Open(string modelPath, OnnxOptions? options = null, int hiddenSize = 0, int maxPositions = int.MaxValue)
    {
        options ??= new OnnxOptions();
        var session = OrtSession.Open(modelPath, options);
        try
        {
            var outputs = session.Outputs;
            string? token = options.TokenOutput;
            if (token is not null && outputs.All(o => o.Name != token))
                throw new ModelFormatException(modelPath, $"the ONNX model has no output '{token}' (outputs: {string.Join(", ", outputs)}).");
            token ??= outputs.FirstOrDefault(o => o.Name == "last_hidden_state")?.Name
                ?? outputs.FirstOrDefault(o => o.Name == "token_embeddings")?.Name
                ?? outputs.FirstOrDefault(o => o.Shape.Length == 3 && o.ElementType is OrtElementType.Float or OrtElementType.Float16
                    && !o.Name.StartsWith("present", StringComparison.Ordinal))?.Name;
            var pooled = options.UsePooledOutput ? outputs.FirstOrDefault(o => o.Name == "sentence_embedding") : null;
            if (pooled is not null) return new OnnxPooledBackbone(session, modelPath, hiddenSize, maxPositions, token, pooled);
            if (token is null)
                throw new ModelFormatException(modelPath, $"no token-embedding output found (outputs: {string.Join(", ", outputs)}); expected last_hidden_state or token_embeddings.");
            return new OnnxBackbone(session, modelPath, hiddenSize, maxPositions, token);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    float[]? _paddedOutput;

    /// <inheritdoc/>
    public float[] Forward(TokenBatch batch, CancellationToken cancellationToken = default)
    {
        if (TokenOutput is null)
            throw new NotSupportedException($"{ModelPath}: the ONNX graph has only a pooled output (sentence_embedding); token embeddings are not available. Export with --no-pooling.");
        cancellationToken.ThrowIfCancellationRequested();
        int h = HiddenSize;
        if (batch.Count == 0) return [];
        var result = GC.AllocateUninitializedArray<float>(checked(batch.TotalTokens * h)); // every element is written below
        var buffers = RentInputs(batch, out var inputs, out int width);
        try
        {
            if (_halfTokens)
            {
                // Float16 output: ORT's buffer is read once, each sequence's rows widened into the packed result.
                Session.Run(inputs, _tokenOutputs, (_, type, shape, data) =>
                {
                    CheckShape(type, shape, OrtElementType.Float16, batch.Count, width, h);
                    var half = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(data);
                    for (int i = 0; i < batch.Count; i++)
                        Widen(half.Slice(i * width * h, batch.Length(i) * h), result.AsSpan(batch.Starts[i] * h));
                });
                return result;
            }
            if (batch.TotalTokens == batch.Count * width)
            {
                // No padding: the packed layout is the [n, t, h] tensor itself, so ORT writes straight into the result.
                Session.RunInto(inputs, _tokenOutputs, [OrtTensor.Float(TokenOutput, result, batch.Count, width, h)]);
                return result;
            }
            // Padded: ORT writes into a reused buffer of ours (already paged in), then each sequence's rows are
            // copied out in one block. Buffers are handed out one per concurrent call.
            int padded = checked(batch.Count * width * h);
            var scratch = Interlocked.Exchange(ref _paddedOutput, null);
            if (scratch is null || scratch.Length < padded) scratch = GC.AllocateUninitializedArray<float>(padded);
            try
            {
                Session.RunInto(inputs, _tokenOutputs, [OrtTensor.Float(TokenOutput, scratch, batch.Count, width, h)]);
                for (int i = 0; i < batch.Count; i++)
                    scratch.AsSpan(i * width * h, batch.Length(i) * h).CopyTo(result.AsSpan(batch.Starts[i] * h));
            }
            finally { _paddedOutput = scratch; }
            return result;
        }
        finally { ReturnInputs(buffers); }
    }

    /// <summary>Checks an output read through ORT's own buffer against the shape the caller expects.</summary>
    internal void CheckShape(OrtElementType type, ReadOnlySpan<long> shape, OrtElementType expectedType, params long[] expected)
    {
        if (type != expectedType || !shape.SequenceEqual(expected))
            throw new OrtException($"{ModelPath}: output is {type}[{string.Join(",", shape.ToArray())}], expected {expectedType}[{string.Join(",", expected)}].");
    }

    /// <summary>Builds the padded input tensors for a packed batch (fresh arrays; see <see cref="RentInputs"/> for the reused ones).</summary>
    internal List<OrtTensor> Inputs(TokenBatch batch, out int width) => _inputs.Fresh(batch, MaxPositions, out width);

    /// <summary>Builds the padded input tensors in buffers reused across batches; give them back with <see cref="ReturnInputs"/>.</summary>
    internal OnnxTokenInputs.Buffers RentInputs(TokenBatch batch, out List<OrtTensor> inputs, out int width) => _inputs.Rent(batch, MaxPositions, out inputs, out width);

    internal void ReturnInputs(OnnxTokenInputs.Buffers buffers) => _inputs.Return(buffers);

    /// <summary>Float16 → float.</summary>
    internal static void Widen(ReadOnlySpan<Half> source, Span<float> destination)
    {
        for (int i = 0; i < source.Length; i++) destination[i] = (float)source[i];
    }


    /// <summary>Copies the ONNX file (and external-data files beside it) into <paramref name="folder"/>/onnx/.</summary>
    public void Save(string folder)
    {
        var target = Path.Combine(folder, "onnx");
        Directory.CreateDirectory(target);
        var source = Path.GetDirectoryName(Path.GetFullPath(ModelPath))!;
        var stem = Path.GetFileName(ModelPath);
        foreach (var file in Directory.EnumerateFiles(source, stem + "*"))
        {
            var dest = Path.Combine(target, Path.GetFileName(file));
            if (Path.GetFullPath(dest) == Path.GetFullPath(file)) continue;
            var tmp = dest + ".tmp";
            File.Copy(file, tmp, overwrite: true);
            File.Move(tmp, dest, overwrite: true);
        }
    }

    /// <summary>Releases the session.</summary>
    public void Dispose()
    {
        Session.Dispose();
        GC.SuppressFinalize(this);
    }
}
