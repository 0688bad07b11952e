using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>
/// Honours <see cref="OrtSessionOptions.LibraryPath"/>: points the managed API's native imports at one given file
/// instead of the package's. There is no search: without a path the package's library is used as .NET finds it.
/// </summary>
internal static class OrtLibrary
{
    static readonly object Gate = new();
    static string? _chosen;       // the file the resolver loads
    static bool _defaultInUse;    // a session opened without a path: the package's library is (or will be) loaded
    static int _resolverCalls;

    public static void Select(string? libraryPath)
    {
        lock (Gate)
        {
            if (string.IsNullOrWhiteSpace(libraryPath))
            {
                _defaultInUse |= _chosen is null;
                return;
            }
            var full = Path.GetFullPath(libraryPath);
            if (!File.Exists(full))
                throw new OrtException($"OrtSessionOptions.LibraryPath: no such file {full}. Leave it null to use the ONNX Runtime of the "
                    + "Microsoft.ML.OnnxRuntime(.Gpu) package the application references.", new FileNotFoundException(null, full));
            if (_chosen is not null)
            {
                if (_chosen != full)
                    throw new OrtException($"OrtSessionOptions.LibraryPath: ONNX Runtime was already loaded from {_chosen} in this process; "
                        + $"found {full}. One process uses one ONNX Runtime library.");
                return;
            }
            if (_defaultInUse)
                throw new OrtException($"OrtSessionOptions.LibraryPath: the package's ONNX Runtime library is already loaded in this process, so {full} "
                    + "cannot be used; set LibraryPath on the first session the process opens.");
            NativeLibrary.SetDllImportResolver(typeof(InferenceSession).Assembly, Resolve);
            _chosen = full;
            try { _ = OrtEnv.Instance(); } // loads the library now, through the resolver
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException or TypeInitializationException)
            {
                throw new OrtException($"OrtSessionOptions.LibraryPath: {full} could not be loaded as ONNX Runtime 1.32: {e.Message}", e);
            }
            if (Volatile.Read(ref _resolverCalls) == 0)
                throw new OrtException($"OrtSessionOptions.LibraryPath: ONNX Runtime had already been loaded from the package (by another "
                    + $"component of this process) before {full} was chosen; set LibraryPath on the first session the process opens.");
        }
    }

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (_chosen is null || !name.Contains("onnxruntime", StringComparison.OrdinalIgnoreCase)) return IntPtr.Zero;
        Interlocked.Increment(ref _resolverCalls);
        return NativeLibrary.Load(_chosen);
    }
}
