using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>
/// An ONNX Runtime inference session over one model, on the official managed API (<see cref="InferenceSession"/>).
/// <see cref="Run(IReadOnlyList{OrtTensor}, IReadOnlyList{string}?)"/> is safe to call from several threads at once
/// (ORT's Run is thread-safe; this wrapper keeps no per-call state). Inputs and preallocated outputs are our arrays,
/// pinned for the call and handed to ORT without a copy. Dispose releases the session after any run in progress returns.
/// </summary>
public sealed class OrtSession : IDisposable
{
    readonly InferenceSession _session;
    readonly RunOptions _runOptions = new();
    readonly HashSet<string> _inputNames, _outputNames;
    int _references = 1, _disposed;
    long _nativeTicks, _totalTicks, _outputTicks, _runs;

    OrtSession(InferenceSession session, string? cpuFallbackReason)
    {
        _session = session;
        CpuFallbackReason = cpuFallbackReason;
        Inputs = session.InputNames.Select(n => Describe(n, session.InputMetadata[n])).ToArray();
        Outputs = session.OutputNames.Select(n => Describe(n, session.OutputMetadata[n])).ToArray();
        _inputNames = new HashSet<string>(session.InputNames, StringComparer.Ordinal);
        _outputNames = new HashSet<string>(session.OutputNames, StringComparer.Ordinal);
    }

    /// <summary>ONNX Runtime's version, e.g. <c>1.32.0</c>.</summary>
    public static string Version => OrtEnv.Instance().GetVersionString();
    /// <summary>Execution providers compiled into the loaded native library, e.g. <c>CPUExecutionProvider</c>, <c>CUDAExecutionProvider</c>.</summary>
    public static IReadOnlyList<string> AvailableProviders => OrtEnv.Instance().GetAvailableProviders();

    /// <summary>The official session underneath (for what this wrapper does not expose: metadata, profiling, IO binding).</summary>
    public InferenceSession InferenceSession => _session;
    /// <summary>Model inputs, in graph order.</summary>
    public IReadOnlyList<OrtValueInfo> Inputs { get; }
    /// <summary>Model outputs, in graph order.</summary>
    public IReadOnlyList<OrtValueInfo> Outputs { get; }
    /// <summary>
    /// Why CUDA was asked for but the session runs on the CPU (only with <see cref="OrtSessionOptions.AllowCpuFallback"/>);
    /// null when it runs where it was asked to.
    /// </summary>
    public string? CpuFallbackReason { get; }

    /// <summary>Opens a model file (an external-data file next to it is found by ORT).</summary>
    public static OrtSession Open(string modelPath, OrtSessionOptions? options = null)
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"ONNX model not found: {modelPath}", modelPath);
        var full = Path.GetFullPath(modelPath);
        return Create(options ?? new OrtSessionOptions(), so => new InferenceSession(full, so), $"CreateSession({modelPath})");
    }

    /// <summary>Creates a session from a serialised model held in memory (no external data).</summary>
    public static OrtSession FromBytes(byte[] model, OrtSessionOptions? options = null)
        => Create(options ?? new OrtSessionOptions(), so => new InferenceSession(model, so), "CreateSessionFromArray");

    static OrtSession Create(OrtSessionOptions options, Func<SessionOptions, InferenceSession> open, string operation)
    {
        OrtLibrary.Select(options.LibraryPath);
        if (options.Device == OrtDevice.Cuda)
        {
            try { return new OrtSession(Guard(() => OpenWith(options, cuda: true, open), operation), null); }
            catch (OrtException e) when (options.AllowCpuFallback) { return new OrtSession(Guard(() => OpenWith(options, cuda: false, open), operation), e.Message); }
        }
        return new OrtSession(Guard(() => OpenWith(options, cuda: false, open), operation), null);
    }

    static InferenceSession OpenWith(OrtSessionOptions options, bool cuda, Func<SessionOptions, InferenceSession> open)
    {
        using var so = new SessionOptions
        {
            IntraOpNumThreads = Math.Max(0, options.IntraOpThreads),
            InterOpNumThreads = Math.Max(0, options.InterOpThreads),
            GraphOptimizationLevel = Level(options.GraphOptimization),
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        foreach (var (key, value) in options.ConfigEntries) so.AddSessionConfigEntry(key, value);
        if (!cuda) return open(so);
        CudaProvider.Append(so, options);
        try { return open(so); }
        catch (OnnxRuntimeException e) when (CudaProvider.IsCudaFailure(e.Message)) { throw CudaProvider.Unavailable(e); }
    }

    static GraphOptimizationLevel Level(OrtGraphOptimization level) => level switch
    {
        OrtGraphOptimization.None => GraphOptimizationLevel.ORT_DISABLE_ALL,
        OrtGraphOptimization.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
        OrtGraphOptimization.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        OrtGraphOptimization.Layout => GraphOptimizationLevel.ORT_ENABLE_LAYOUT,
        OrtGraphOptimization.All => GraphOptimizationLevel.ORT_ENABLE_ALL,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "OrtSessionOptions.GraphOptimization: expected None, Basic, Extended, Layout or All."),
    };

    /// <summary>Turns the managed API's exception into ours (ORT's code and message kept).</summary>
    static T Guard<T>(Func<T> call, string operation)
    {
        try { return call(); }
        catch (OnnxRuntimeException e) { throw Wrap(e, operation); }
    }

    internal static OrtException Wrap(OnnxRuntimeException e, string operation) => Wrap(e.Message, operation, e);

    internal static OrtException Wrap(string text, string operation, Exception? inner)
    {
        // The managed API keeps the code only in the text: "[ErrorCode:InvalidArgument] message".
        var code = OrtErrorCode.Fail;
        if (text.StartsWith("[ErrorCode:", StringComparison.Ordinal) && text.IndexOf(']') is > 0 and var end)
        {
            if (Enum.TryParse(text[11..end], out OrtErrorCode parsed)) code = parsed;
            text = text[(end + 1)..].TrimStart();
        }
        return new OrtException(operation, code, text, inner);
    }

    /// <summary>Receives one output straight from ORT's memory (valid only during the call).</summary>
    internal delegate void OutputReader(int index, OrtElementType type, ReadOnlySpan<long> shape, ReadOnlySpan<byte> data);

    /// <summary>Runs the model; returns the requested outputs (all outputs when <paramref name="outputNames"/> is null) as copies.</summary>
    public OrtTensor[] Run(IReadOnlyList<OrtTensor> inputs, IReadOnlyList<string>? outputNames = null)
    {
        outputNames ??= Outputs.Select(o => o.Name).ToArray();
        var results = new OrtTensor[outputNames.Count];
        Run(inputs, outputNames, (i, type, shape, data) =>
        {
            var tensor = OrtTensor.Allocate(outputNames[i], type, shape.ToArray());
            data.CopyTo(tensor.Bytes());
            results[i] = tensor;
        });
        return results;
    }

    /// <summary>Runs the model and hands each output to <paramref name="reader"/> before ORT's buffers are released.</summary>
    internal void Run(IReadOnlyList<OrtTensor> inputs, IReadOnlyList<string> outputNames, OutputReader reader)
        => Run(inputs, outputNames, null, reader);

    /// <summary>
    /// Runs the model writing every output straight into the (pinned) array of the matching tensor of
    /// <paramref name="outputs"/>: no copy, and the arrays can be reused across calls.
    /// </summary>
    internal void RunInto(IReadOnlyList<OrtTensor> inputs, IReadOnlyList<string> outputNames, IReadOnlyList<OrtTensor> outputs)
        => Run(inputs, outputNames, outputs, null);

    void Run(IReadOnlyList<OrtTensor> inputs, IReadOnlyList<string> outputNames, IReadOnlyList<OrtTensor>? outputBuffers, OutputReader? reader)
    {
        long start = Stopwatch.GetTimestamp();
        Acquire();
        var values = new List<OrtValue>(inputs.Count + outputNames.Count);
        try
        {
            var inNames = new string[inputs.Count];
            var inValues = new OrtValue[inputs.Count];
            for (int i = 0; i < inputs.Count; i++)
            {
                inNames[i] = Check(inputs[i].Name, output: false);
                values.Add(inValues[i] = inputs[i].ToOrtValue());
            }
            foreach (var name in outputNames) Check(name, output: true);
            if (outputBuffers is not null)
            {
                var outValues = new OrtValue[outputBuffers.Count];
                for (int o = 0; o < outValues.Length; o++) values.Add(outValues[o] = outputBuffers[o].ToOrtValue());
                long nativeStart = Stopwatch.GetTimestamp();
                try { _session.Run(_runOptions, inNames, inValues, outputNames as IReadOnlyCollection<string> ?? outputNames.ToArray(), outValues); }
                catch (OnnxRuntimeException e) { throw Wrap(e, "Run"); }
                Interlocked.Add(ref _nativeTicks, Stopwatch.GetTimestamp() - nativeStart);
            }
            else
            {
                long nativeStart = Stopwatch.GetTimestamp();
                IDisposableReadOnlyCollection<OrtValue> results;
                try { results = _session.Run(_runOptions, inNames, inValues, outputNames as IReadOnlyCollection<string> ?? outputNames.ToArray()); }
                catch (OnnxRuntimeException e) { throw Wrap(e, "Run"); }
                long nativeEnd = Stopwatch.GetTimestamp();
                Interlocked.Add(ref _nativeTicks, nativeEnd - nativeStart);
                using (results)
                {
                    int o = 0;
                    foreach (var value in results)
                    {
                        if (!value.IsTensor) throw new OrtException($"Output '{outputNames[o]}' is a {value.OnnxType}, not a tensor.");
                        var info = value.GetTensorTypeAndShape();
                        var type = (OrtElementType)(int)info.ElementDataType;
                        var bytes = type == OrtElementType.String ? [] : value.GetTensorMutableRawData();
                        reader?.Invoke(o, type, info.Shape, bytes);
                        o++;
                    }
                }
                Interlocked.Add(ref _outputTicks, Stopwatch.GetTimestamp() - nativeEnd);
            }
        }
        finally
        {
            foreach (var v in values) v.Dispose();
            Release();
            Interlocked.Add(ref _totalTicks, Stopwatch.GetTimestamp() - start);
            Interlocked.Increment(ref _runs);
        }
    }

    /// <summary>
    /// Timing totals since creation: calls, seconds inside ORT's Run, seconds reading outputs (shape queries and
    /// the copy out of ORT's memory), seconds in the whole call (binding overhead = Total − Native).
    /// </summary>
    internal (long Runs, double NativeSeconds, double OutputSeconds, double TotalSeconds) Timings
        => (Interlocked.Read(ref _runs), Interlocked.Read(ref _nativeTicks) / (double)Stopwatch.Frequency,
            Interlocked.Read(ref _outputTicks) / (double)Stopwatch.Frequency, Interlocked.Read(ref _totalTicks) / (double)Stopwatch.Frequency);

    string Check(string name, bool output)
    {
        if ((output ? _outputNames : _inputNames).Contains(name)) return name;
        var known = string.Join(", ", (output ? Outputs : Inputs).Select(i => i.Name));
        throw new OrtException($"The model has no {(output ? "output" : "input")} named '{name}'; it has: {known}.");
    }

    void Acquire()
    {
        // A reference count (1 for the owner, 1 per run in flight): the session is released when it drops to 0.
        for (int seen = Volatile.Read(ref _references); ; seen = Volatile.Read(ref _references))
        {
            if (seen == 0 || Volatile.Read(ref _disposed) != 0) throw new ObjectDisposedException(nameof(OrtSession));
            if (Interlocked.CompareExchange(ref _references, seen + 1, seen) == seen) return;
        }
    }

    void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _session.Dispose();
            _runOptions.Dispose();
        }
    }

    /// <summary>Releases the session (after any run in progress returns).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) Release();
    }

    static OrtValueInfo Describe(string name, NodeMetadata meta)
    {
        if (!meta.IsTensor) return new OrtValueInfo(name, OrtElementType.Undefined, [], []);
        var symbols = meta.SymbolicDimensions ?? [];
        return new OrtValueInfo(name, (OrtElementType)(int)meta.ElementDataType,
            meta.Dimensions.Select(d => (long)d).ToArray(),
            meta.Dimensions.Select((_, i) => i < symbols.Length ? symbols[i] ?? "" : "").ToArray());
    }
}
