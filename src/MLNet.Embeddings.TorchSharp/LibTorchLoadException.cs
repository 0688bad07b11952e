namespace MLNet.Embeddings.TorchSharp;

/// <summary>
/// libtorch (TorchSharp's native runtime) could not be loaded. The message names the real cause (for example the
/// missing <c>GLIBCXX_3.4.32</c> symbol version of the system libstdc++) and what to install.
/// </summary>
public sealed class LibTorchLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LibTorchLoadException(string message, Exception? inner = null) : base(message, inner) { }
}
