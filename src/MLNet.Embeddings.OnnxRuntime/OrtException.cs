namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>
/// An ONNX Runtime call failed, or the native library could not be found or is too old. Carries ORT's own message
/// and error code, and the operation that failed.
/// </summary>
public sealed class OrtException : Exception
{
    /// <summary>Creates the exception for a failed ORT call.</summary>
    public OrtException(string operation, OrtErrorCode code, string message)
        : base($"ONNX Runtime {operation} failed ({code}): {message}")
    {
        Operation = operation; Code = code; OrtMessage = message;
    }

    /// <summary>Creates the exception for a failure outside an ORT call (loading the library, unsupported types…).</summary>
    public OrtException(string message, Exception? inner = null) : base(message, inner)
    {
        Operation = ""; Code = OrtErrorCode.Fail; OrtMessage = message;
    }

    /// <summary>The C API function (or step) that failed.</summary>
    public string Operation { get; }
    /// <summary>ORT's error code.</summary>
    public OrtErrorCode Code { get; }
    /// <summary>ORT's message, unchanged.</summary>
    public string OrtMessage { get; }
}
