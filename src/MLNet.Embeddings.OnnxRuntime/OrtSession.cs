using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using MLNet.Embeddings.OnnxRuntime.Native;

namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>
/// An ONNX Runtime inference session over one model. <see cref="Run(IReadOnlyList{OrtTensor}, IReadOnlyList{string}?)"/>
/// is safe to call from several threads at once (ORT's Run is thread-safe; this wrapper keeps no per-call state).
/// Dispose releases the native session; a run in progress keeps it alive until it returns.
/// </summary>
public sealed unsafe class OrtSession : IDisposable
{
    readonly OrtHandle _session;
    readonly Dictionary<string, IntPtr> _nativeNames = new(StringComparer.Ordinal);
    long _nativeTicks, _totalTicks, _outputTicks, _runs;

    OrtSession(OrtRuntime runtime, OrtHandle session)
    {
        Runtime = runtime; _session = session;
        var api = runtime.Api;
        Inputs = ReadInfos(api, session.DangerousGetHandle(), input: true);
        Outputs = ReadInfos(api, session.DangerousGetHandle(), input: false);
        foreach (var info in Inputs.Concat(Outputs))
            _nativeNames.TryAdd(info.Name, Marshal.StringToCoTaskMemUTF8(info.Name));
        var names = _nativeNames.Values.ToArray();
        // Runs still in flight hold a reference on the handle; the names are freed only after the last one returns.
        session.AfterRelease = () => { foreach (var p in names) Marshal.FreeCoTaskMem(p); };
    }

    /// <summary>The ONNX Runtime library this session runs on.</summary>
    public OrtRuntime Runtime { get; }
    /// <summary>Model inputs, in graph order.</summary>
    public IReadOnlyList<OrtValueInfo> Inputs { get; }
    /// <summary>Model outputs, in graph order.</summary>
    public IReadOnlyList<OrtValueInfo> Outputs { get; }

    /// <summary>Opens a model file (an external-data file next to it is found by ORT).</summary>
    public static OrtSession Open(string modelPath, OrtSessionOptions? options = null)
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"ONNX model not found: {modelPath}", modelPath);
        options ??= new OrtSessionOptions();
        var runtime = OrtRuntime.Load(options.LibraryPath);
        var api = runtime.Api;
        using var so = CreateOptions(runtime, options);
        IntPtr session;
        // ORTCHAR_T is wchar_t on Windows, char (UTF-8) elsewhere.
        if (OperatingSystem.IsWindows())
            fixed (char* path = Path.GetFullPath(modelPath) + "\0")
                api.Check(api.CreateSession(runtime.Env, (byte*)path, so.DangerousGetHandle(), &session), $"CreateSession({modelPath})");
        else
            fixed (byte* path = Utf8Z(Path.GetFullPath(modelPath)))
                api.Check(api.CreateSession(runtime.Env, path, so.DangerousGetHandle(), &session), $"CreateSession({modelPath})");
        return new OrtSession(runtime, new OrtHandle(session, api.ReleaseSession));
    }

    /// <summary>Creates a session from a serialised model held in memory (no external data).</summary>
    public static OrtSession FromBytes(byte[] model, OrtSessionOptions? options = null)
    {
        options ??= new OrtSessionOptions();
        var runtime = OrtRuntime.Load(options.LibraryPath);
        var api = runtime.Api;
        using var so = CreateOptions(runtime, options);
        IntPtr session;
        fixed (byte* data = model)
            api.Check(api.CreateSessionFromArray(runtime.Env, data, (nuint)model.Length, so.DangerousGetHandle(), &session), "CreateSessionFromArray");
        return new OrtSession(runtime, new OrtHandle(session, api.ReleaseSession));
    }

    /// <summary>Receives one output straight from ORT's memory (valid only during the call).</summary>
    internal delegate void OutputReader(int index, OrtElementType type, ReadOnlySpan<long> shape, IntPtr data);

    /// <summary>Runs the model; returns the requested outputs (all outputs when <paramref name="outputNames"/> is null) as copies.</summary>
    public OrtTensor[] Run(IReadOnlyList<OrtTensor> inputs, IReadOnlyList<string>? outputNames = null)
    {
        outputNames ??= Outputs.Select(o => o.Name).ToArray();
        var results = new OrtTensor[outputNames.Count];
        Run(inputs, outputNames, (i, type, shape, data) =>
        {
            long n = 1; foreach (var d in shape) n *= d;
            var array = Array.CreateInstance(OrtTensor.ManagedType(type), n);
            long bytes = n * OrtTensor.ElementSize(type);
            var handle = GCHandle.Alloc(array, GCHandleType.Pinned);
            try { Buffer.MemoryCopy((void*)data, (void*)handle.AddrOfPinnedObject(), bytes, bytes); }
            finally { handle.Free(); }
            results[i] = new OrtTensor(outputNames[i], type, array, shape.ToArray());
        });
        return results;
    }

    /// <summary>Runs the model and hands each output to <paramref name="reader"/> before ORT's buffers are released.</summary>
    internal void Run(IReadOnlyList<OrtTensor> inputs, IReadOnlyList<string> outputNames, OutputReader reader)
        => Run(inputs, outputNames, null, reader);

    /// <summary>
    /// Runs the model; outputs with a tensor in <paramref name="outputBuffers"/> are written by ORT straight into that
    /// tensor's (pinned) array — no copy — and are not passed to <paramref name="reader"/>.
    /// </summary>
    internal void Run(IReadOnlyList<OrtTensor> inputs, IReadOnlyList<string> outputNames, OrtTensor?[]? outputBuffers, OutputReader? reader)
    {
        long start = Stopwatch.GetTimestamp();
        var api = Runtime.Api;
        int nIn = inputs.Count, nOut = outputNames.Count;
        var pins = new GCHandle[nIn + nOut];
        IntPtr* inNames = stackalloc IntPtr[nIn];
        IntPtr* inValues = stackalloc IntPtr[nIn];
        IntPtr* outNames = stackalloc IntPtr[nOut];
        IntPtr* outValues = stackalloc IntPtr[nOut];
        for (int i = 0; i < nIn; i++) inValues[i] = IntPtr.Zero;
        for (int i = 0; i < nOut; i++) { outValues[i] = IntPtr.Zero; outNames[i] = NativeName(outputNames[i], output: true); }
        bool added = false;
        try
        {
            _session.DangerousAddRef(ref added); // throws ObjectDisposedException after Dispose
            for (int i = 0; i < nIn; i++)
            {
                var t = inputs[i];
                inNames[i] = NativeName(t.Name, output: false);
                pins[i] = GCHandle.Alloc(t.Data, GCHandleType.Pinned);
                IntPtr value;
                fixed (long* shape = t.Shape)
                    api.Check(api.CreateTensorWithDataAsOrtValue(Runtime.CpuMemoryInfo, (void*)pins[i].AddrOfPinnedObject(),
                        (nuint)(t.Count * OrtTensor.ElementSize(t.ElementType)), shape, (nuint)t.Shape.Length,
                        (int)t.ElementType, &value), $"CreateTensorWithDataAsOrtValue({t.Name})");
                inValues[i] = value;
            }
            for (int o = 0; o < nOut; o++)
            {
                var t = outputBuffers?[o];
                if (t is null) continue;
                pins[nIn + o] = GCHandle.Alloc(t.Data, GCHandleType.Pinned);
                IntPtr value;
                fixed (long* shape = t.Shape)
                    api.Check(api.CreateTensorWithDataAsOrtValue(Runtime.CpuMemoryInfo, (void*)pins[nIn + o].AddrOfPinnedObject(),
                        (nuint)(t.Count * OrtTensor.ElementSize(t.ElementType)), shape, (nuint)t.Shape.Length,
                        (int)t.ElementType, &value), $"CreateTensorWithDataAsOrtValue({t.Name})");
                outValues[o] = value;
            }
            long nativeStart = Stopwatch.GetTimestamp();
            api.Check(api.Run(_session.DangerousGetHandle(), IntPtr.Zero, inNames, inValues, (nuint)nIn, outNames, (nuint)nOut, outValues), "Run");
            long nativeEnd = Stopwatch.GetTimestamp();
            Interlocked.Add(ref _nativeTicks, nativeEnd - nativeStart);
            Span<long> dims = stackalloc long[8];
            for (int o = 0; o < nOut; o++)
            {
                if (outputBuffers?[o] is not null || reader is null) continue;
                IntPtr info; int type; nuint rank; void* data;
                api.Check(api.GetTensorTypeAndShape(outValues[o], &info), "GetTensorTypeAndShape");
                try
                {
                    api.Check(api.GetTensorElementType(info, &type), "GetTensorElementType");
                    api.Check(api.GetDimensionsCount(info, &rank), "GetDimensionsCount");
                    if ((int)rank > dims.Length) dims = new long[(int)rank];
                    fixed (long* pd = dims) api.Check(api.GetDimensions(info, pd, rank), "GetDimensions");
                }
                finally { api.ReleaseTensorTypeAndShapeInfo(info); }
                api.Check(api.GetTensorMutableData(outValues[o], &data), "GetTensorMutableData");
                reader(o, (OrtElementType)type, dims[..(int)rank], (IntPtr)data);
            }
            Interlocked.Add(ref _outputTicks, Stopwatch.GetTimestamp() - nativeEnd);
        }
        finally
        {
            for (int i = 0; i < nOut; i++) if (outValues[i] != IntPtr.Zero) api.ReleaseValue(outValues[i]);
            for (int i = 0; i < nIn; i++)
                if (inValues[i] != IntPtr.Zero) api.ReleaseValue(inValues[i]);
            foreach (var pin in pins) if (pin.IsAllocated) pin.Free();
            if (added) _session.DangerousRelease();
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

    IntPtr NativeName(string name, bool output)
    {
        if (_nativeNames.TryGetValue(name, out var p)) return p;
        var known = string.Join(", ", (output ? Outputs : Inputs).Select(i => i.Name));
        throw new OrtException($"The model has no {(output ? "output" : "input")} named '{name}'; it has: {known}.");
    }

    /// <summary>Releases the native session (after any run in progress returns) and the cached names.</summary>
    public void Dispose() => _session.Dispose();

    static OrtHandle CreateOptions(OrtRuntime runtime, OrtSessionOptions options)
    {
        var api = runtime.Api;
        IntPtr so;
        api.Check(api.CreateSessionOptions(&so), "CreateSessionOptions");
        var handle = new OrtHandle(so, api.ReleaseSessionOptions);
        try
        {
            if (options.IntraOpThreads > 0) api.Check(api.SetIntraOpNumThreads(so, options.IntraOpThreads), "SetIntraOpNumThreads");
            if (options.InterOpThreads > 0) api.Check(api.SetInterOpNumThreads(so, options.InterOpThreads), "SetInterOpNumThreads");
            api.Check(api.SetSessionGraphOptimizationLevel(so, (int)options.GraphOptimization), "SetSessionGraphOptimizationLevel");
            foreach (var (key, value) in options.ConfigEntries)
                fixed (byte* k = Utf8Z(key), v = Utf8Z(value))
                    api.Check(api.AddSessionConfigEntry(so, k, v), $"AddSessionConfigEntry({key})");
            if (options.Device == OrtDevice.Cuda) AppendCuda(runtime, so, options);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    static void AppendCuda(OrtRuntime runtime, IntPtr so, OrtSessionOptions options)
    {
        if (!runtime.HasCuda)
            throw new OrtException($"CUDA was requested, but the ONNX Runtime {runtime.Version} library at {runtime.LibraryPath} is a CPU-only build "
                + $"(providers: {string.Join(", ", runtime.AvailableProviders)}). Use the Microsoft.ML.OnnxRuntime.Gpu package's library "
                + $"(set {OrtRuntime.EnvironmentVariable}), with CUDA and cuDNN installed, or run on the CPU.");
        try { AppendCudaProvider(runtime, so, options); }
        catch (OrtException e)
        {
            throw new OrtException($"The CUDA execution provider could not be started from ONNX Runtime {runtime.Version} at {runtime.LibraryPath}: {e.OrtMessage} "
                + "It needs the GPU build of ONNX Runtime with its provider libraries beside it (libonnxruntime_providers_shared / _cuda, "
                + "as in the Microsoft.ML.OnnxRuntime.Gpu package), a matching CUDA and cuDNN, and a visible GPU; or run with the CPU device.", e);
        }
    }

    static void AppendCudaProvider(OrtRuntime runtime, IntPtr so, OrtSessionOptions options)
    {
        var api = runtime.Api;
        IntPtr cuda;
        api.Check(api.CreateCUDAProviderOptions(&cuda), "CreateCUDAProviderOptions");
        try
        {
            var settings = new Dictionary<string, string>(options.CudaProviderOptions) { ["device_id"] = options.CudaDeviceId.ToString() };
            var keys = settings.Keys.Select(k => Marshal.StringToCoTaskMemUTF8(k)).ToArray();
            var values = settings.Values.Select(v => Marshal.StringToCoTaskMemUTF8(v)).ToArray();
            try
            {
                fixed (IntPtr* k = keys, v = values)
                    api.Check(api.UpdateCUDAProviderOptions(cuda, (byte**)k, (byte**)v, (nuint)keys.Length), "UpdateCUDAProviderOptions");
            }
            finally
            {
                foreach (var p in keys.Concat(values)) Marshal.FreeCoTaskMem(p);
            }
            api.Check(api.SessionOptionsAppendExecutionProvider_CUDA_V2(so, cuda),
                "SessionOptionsAppendExecutionProvider_CUDA_V2 (is CUDA/cuDNN installed and a GPU visible?)");
        }
        finally { api.ReleaseCUDAProviderOptions(cuda); }
    }

    static IReadOnlyList<OrtValueInfo> ReadInfos(OrtApi api, IntPtr session, bool input)
    {
        nuint count;
        api.Check(input ? api.SessionGetInputCount(session, &count) : api.SessionGetOutputCount(session, &count), "SessionGetInputCount");
        IntPtr allocator;
        api.Check(api.GetAllocatorWithDefaultOptions(&allocator), "GetAllocatorWithDefaultOptions");
        var list = new List<OrtValueInfo>();
        for (nuint i = 0; i < count; i++)
        {
            byte* name;
            api.Check(input ? api.SessionGetInputName(session, i, allocator, &name) : api.SessionGetOutputName(session, i, allocator, &name), "SessionGetInputName");
            string s = api.TakeString(name);
            IntPtr typeInfo;
            api.Check(input ? api.SessionGetInputTypeInfo(session, i, &typeInfo) : api.SessionGetOutputTypeInfo(session, i, &typeInfo), "SessionGetInputTypeInfo");
            try
            {
                int onnxType;
                api.Check(api.GetOnnxTypeFromTypeInfo(typeInfo, &onnxType), "GetOnnxTypeFromTypeInfo");
                if (onnxType != 1 /* ONNX_TYPE_TENSOR */) { list.Add(new OrtValueInfo(s, OrtElementType.Undefined, [], [])); continue; }
                IntPtr tensorInfo; int elem; nuint rank;
                api.Check(api.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo), "CastTypeInfoToTensorInfo"); // owned by typeInfo
                api.Check(api.GetTensorElementType(tensorInfo, &elem), "GetTensorElementType");
                api.Check(api.GetDimensionsCount(tensorInfo, &rank), "GetDimensionsCount");
                var dims = new long[(int)rank];
                var symbols = new IntPtr[(int)rank];
                fixed (long* pd = dims) api.Check(api.GetDimensions(tensorInfo, pd, rank), "GetDimensions");
                fixed (IntPtr* ps = symbols) api.Check(api.GetSymbolicDimensions(tensorInfo, (byte**)ps, rank), "GetSymbolicDimensions");
                list.Add(new OrtValueInfo(s, (OrtElementType)elem, dims, symbols.Select(p => Marshal.PtrToStringUTF8(p) ?? "").ToArray()));
            }
            finally { api.ReleaseTypeInfo(typeInfo); }
        }
        return list;
    }

    static byte[] Utf8Z(string s)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }
}
