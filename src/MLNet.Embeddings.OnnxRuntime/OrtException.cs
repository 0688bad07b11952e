namespace MLNet.Embeddings.OnnxRuntime;

/// <summary>
/// An ONNX Runtime call failed, or an execution provider could not start. Carries ORT's own message and error code,
/// and the operation that failed.
/// </summary>
public sealed class OrtException : Exception
{
    /// <summary>Creates the exception for a failed ORT call.</summary>
    public OrtException(string operation, OrtErrorCode code, string message, Exception? inner = null)
        : base($"ONNX Runtime {operation} failed ({code}): {message}", inner)
    {
        Operation = operation; Code = code; OrtMessage = message;
    }

    /// <summary>Creates the exception for a failure outside an ORT call (a missing provider, unsupported types…).</summary>
    public OrtException(string message, Exception? inner = null) : base(message, inner)
    {
        Operation = ""; Code = OrtErrorCode.Fail; OrtMessage = message;
    }

    /// <summary>The operation (session creation, Run, provider set-up) that failed.</summary>
    public string Operation { get; }
    /// <summary>ORT's error code.</summary>
    public OrtErrorCode Code { get; }
    /// <summary>ORT's message, unchanged.</summary>
    public string OrtMessage { get; }
}
