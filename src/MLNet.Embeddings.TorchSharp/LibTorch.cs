using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;

namespace MLNet.Embeddings.TorchSharp;

/// <summary>
/// Loads libtorch once and, when that fails, finds the real reason. TorchSharp reports every load failure as
/// "package … is not restored", also when the package is there and the system libstdc++ is too old; here the
/// loader's own error (dlerror) is read back and the libstdc++ symbol versions are checked.
/// </summary>
internal static class LibTorch
{
    /// <summary>The libstdc++ symbol version TorchSharp 0.107's libLibTorchSharp.so needs (GCC 13 or newer).</summary>
    public const string RequiredGlibcxx = "GLIBCXX_3.4.32";
    const string SystemLibStdCxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";

    static readonly object Gate = new();
    static bool _loaded;

    /// <summary>Loads the native runtime (CPU device type) or throws <see cref="LibTorchLoadException"/>.</summary>
    public static void EnsureLoaded()
    {
        if (Volatile.Read(ref _loaded)) return;
        lock (Gate)
        {
            if (_loaded) return;
            try { torch.InitializeDeviceType(DeviceType.CPU); }
            catch (Exception e) when (e is not OutOfMemoryException) { throw Diagnose(e); }
            Volatile.Write(ref _loaded, true);
        }
    }

    /// <summary>Whether libtorch loads here; <paramref name="reason"/> says why not.</summary>
    public static bool TryLoad(out string? reason)
    {
        try { EnsureLoaded(); reason = null; return true; }
        catch (LibTorchLoadException e) { reason = e.Message; return false; }
    }

    static LibTorchLoadException Diagnose(Exception torchError)
    {
        string torchMessage = Innermost(torchError).Message;
        string? native = FindLibTorchSharp();
        string? loaderError = null;
        if (native is not null && OperatingSystem.IsLinux())
        {
            try { NativeLibrary.Free(NativeLibrary.Load(native)); }
            catch (DllNotFoundException e) { loaderError = e.Message; }
            catch (BadImageFormatException e) { loaderError = e.Message; }
        }
        bool oldStdCxx = loaderError?.Contains("GLIBCXX_", StringComparison.Ordinal) == true
            || (OperatingSystem.IsLinux() && File.Exists(SystemLibStdCxx) && !FileContains(SystemLibStdCxx, RequiredGlibcxx));
        return new LibTorchLoadException(Explain(loaderError, native is not null, oldStdCxx, torchMessage), torchError);
    }

    /// <summary>
    /// The message for a failed load: the dynamic loader's error (<paramref name="loaderError"/>, null when it loaded or was
    /// not tried), whether libLibTorchSharp was found, whether the system libstdc++ lacks <see cref="RequiredGlibcxx"/>, and what to do.
    /// </summary>
    internal static string Explain(string? loaderError, bool nativeFound, bool oldStdCxx, string torchMessage)
    {
        var sb = new StringBuilder("libtorch could not be loaded");
        if (loaderError is not null) sb.Append(": ").Append(loaderError.Trim().TrimEnd('.'));
        else if (!nativeFound) sb.Append(": libLibTorchSharp was not found next to the application (the TorchSharp package's native part is missing)");
        sb.Append('.');
        if (oldStdCxx)
            sb.Append($" The system libstdc++ ({SystemLibStdCxx}) lacks {RequiredGlibcxx}, which TorchSharp 0.107's libLibTorchSharp.so needs ")
              .Append("(libstdc++ of GCC 13 or newer). Install a newer libstdc++6: on Debian 12 add the trixie suite with a low apt pin and run ")
              .Append("'apt-get install -t trixie libstdc++6'; Debian 13, Ubuntu 24.04 and newer already have it.");
        else
            sb.Append(" Reference a libtorch native package in the application: libtorch-cpu-linux-x64 2.10.0 (CPU) or TorchSharp-cuda-linux 0.107.0 (CUDA).");
        sb.Append(" (TorchSharp said: ").Append(torchMessage).Append(')');
        return sb.ToString();
    }

    static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null && e is TypeInitializationException) e = e.InnerException;
        return e;
    }

    /// <summary>libLibTorchSharp beside the application or in its runtimes folder.</summary>
    static string? FindLibTorchSharp()
    {
        string name = OperatingSystem.IsWindows() ? "LibTorchSharp.dll" : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";
        string rid = RuntimeInformation.RuntimeIdentifier;
        foreach (var dir in new[] { AppContext.BaseDirectory, Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native"),
                     Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native") })
        {
            string p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    static bool FileContains(string path, string text)
    {
        byte[] needle = Encoding.ASCII.GetBytes(text);
        byte[] data = File.ReadAllBytes(path);
        return data.AsSpan().IndexOf(needle) >= 0;
    }
}
