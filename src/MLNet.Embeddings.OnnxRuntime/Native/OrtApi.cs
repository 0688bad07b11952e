using System.Runtime.InteropServices;

namespace MLNet.Embeddings.OnnxRuntime.Native;

/// <summary>
/// The subset of ONNX Runtime's C API (<c>struct OrtApi</c> in onnxruntime_c_api.h) that we call. The struct is a
/// table of function pointers whose order never changes (new functions are only appended), so each entry is read
/// at its fixed index. The indices below were counted from the header and are checked by the binding tests
/// (GetAvailableProviders and GetBuildInfoString sit far down the table: a wrong count returns garbage or crashes).
/// Calls use the platform's default unmanaged convention, which is what ORT_API_CALL means (stdcall on Windows x86,
/// the C convention everywhere else).
/// </summary>
internal sealed unsafe class OrtApi
{
    // Indices into struct OrtApi (0-based), counted from onnxruntime_c_api.h.
    const int IdxGetErrorCode = 1, IdxGetErrorMessage = 2, IdxCreateEnv = 3, IdxCreateSession = 7,
        IdxCreateSessionFromArray = 8, IdxRun = 9, IdxCreateSessionOptions = 10,
        IdxSetSessionGraphOptimizationLevel = 23, IdxSetIntraOpNumThreads = 24, IdxSetInterOpNumThreads = 25,
        IdxSessionGetInputCount = 30, IdxSessionGetOutputCount = 31, IdxSessionGetInputTypeInfo = 33,
        IdxSessionGetOutputTypeInfo = 34, IdxSessionGetInputName = 36, IdxSessionGetOutputName = 37,
        IdxCreateTensorWithDataAsOrtValue = 49, IdxGetTensorMutableData = 51, IdxCastTypeInfoToTensorInfo = 55,
        IdxGetOnnxTypeFromTypeInfo = 56, IdxGetTensorElementType = 60, IdxGetDimensionsCount = 61,
        IdxGetDimensions = 62, IdxGetSymbolicDimensions = 63, IdxGetTensorTypeAndShape = 65,
        IdxCreateCpuMemoryInfo = 69, IdxAllocatorFree = 76, IdxGetAllocatorWithDefaultOptions = 78,
        IdxReleaseEnv = 92, IdxReleaseStatus = 93, IdxReleaseMemoryInfo = 94, IdxReleaseSession = 95,
        IdxReleaseValue = 96, IdxReleaseTypeInfo = 98, IdxReleaseTensorTypeAndShapeInfo = 99,
        IdxReleaseSessionOptions = 100, IdxGetAvailableProviders = 125, IdxReleaseAvailableProviders = 126,
        IdxAddSessionConfigEntry = 130, IdxSessionOptionsAppendExecutionProvider_CUDA_V2 = 204,
        IdxCreateCUDAProviderOptions = 205, IdxUpdateCUDAProviderOptions = 206, IdxReleaseCUDAProviderOptions = 208,
        IdxGetBuildInfoString = 254;

    /// <summary>Oldest API version that holds every entry above (ONNX Runtime 1.16).</summary>
    public const uint MinimumApiVersion = 16;

    public OrtApi(IntPtr table, uint version, string versionString, string libraryPath)
    {
        var t = (IntPtr*)table;
        ApiVersion = version; VersionString = versionString; LibraryPath = libraryPath;
        GetErrorCode = (delegate* unmanaged<IntPtr, int>)t[IdxGetErrorCode];
        GetErrorMessage = (delegate* unmanaged<IntPtr, byte*>)t[IdxGetErrorMessage];
        CreateEnv = (delegate* unmanaged<int, byte*, IntPtr*, IntPtr>)t[IdxCreateEnv];
        CreateSession = (delegate* unmanaged<IntPtr, byte*, IntPtr, IntPtr*, IntPtr>)t[IdxCreateSession];
        CreateSessionFromArray = (delegate* unmanaged<IntPtr, void*, nuint, IntPtr, IntPtr*, IntPtr>)t[IdxCreateSessionFromArray];
        Run = (delegate* unmanaged<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr>)t[IdxRun];
        CreateSessionOptions = (delegate* unmanaged<IntPtr*, IntPtr>)t[IdxCreateSessionOptions];
        SetSessionGraphOptimizationLevel = (delegate* unmanaged<IntPtr, int, IntPtr>)t[IdxSetSessionGraphOptimizationLevel];
        SetIntraOpNumThreads = (delegate* unmanaged<IntPtr, int, IntPtr>)t[IdxSetIntraOpNumThreads];
        SetInterOpNumThreads = (delegate* unmanaged<IntPtr, int, IntPtr>)t[IdxSetInterOpNumThreads];
        SessionGetInputCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)t[IdxSessionGetInputCount];
        SessionGetOutputCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)t[IdxSessionGetOutputCount];
        SessionGetInputTypeInfo = (delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)t[IdxSessionGetInputTypeInfo];
        SessionGetOutputTypeInfo = (delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)t[IdxSessionGetOutputTypeInfo];
        SessionGetInputName = (delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr>)t[IdxSessionGetInputName];
        SessionGetOutputName = (delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr>)t[IdxSessionGetOutputName];
        CreateTensorWithDataAsOrtValue = (delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr>)t[IdxCreateTensorWithDataAsOrtValue];
        GetTensorMutableData = (delegate* unmanaged<IntPtr, void**, IntPtr>)t[IdxGetTensorMutableData];
        CastTypeInfoToTensorInfo = (delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)t[IdxCastTypeInfoToTensorInfo];
        GetOnnxTypeFromTypeInfo = (delegate* unmanaged<IntPtr, int*, IntPtr>)t[IdxGetOnnxTypeFromTypeInfo];
        GetTensorElementType = (delegate* unmanaged<IntPtr, int*, IntPtr>)t[IdxGetTensorElementType];
        GetDimensionsCount = (delegate* unmanaged<IntPtr, nuint*, IntPtr>)t[IdxGetDimensionsCount];
        GetDimensions = (delegate* unmanaged<IntPtr, long*, nuint, IntPtr>)t[IdxGetDimensions];
        GetSymbolicDimensions = (delegate* unmanaged<IntPtr, byte**, nuint, IntPtr>)t[IdxGetSymbolicDimensions];
        GetTensorTypeAndShape = (delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)t[IdxGetTensorTypeAndShape];
        CreateCpuMemoryInfo = (delegate* unmanaged<int, int, IntPtr*, IntPtr>)t[IdxCreateCpuMemoryInfo];
        AllocatorFree = (delegate* unmanaged<IntPtr, void*, IntPtr>)t[IdxAllocatorFree];
        GetAllocatorWithDefaultOptions = (delegate* unmanaged<IntPtr*, IntPtr>)t[IdxGetAllocatorWithDefaultOptions];
        ReleaseEnv = (delegate* unmanaged<IntPtr, void>)t[IdxReleaseEnv];
        ReleaseStatus = (delegate* unmanaged<IntPtr, void>)t[IdxReleaseStatus];
        ReleaseMemoryInfo = (delegate* unmanaged<IntPtr, void>)t[IdxReleaseMemoryInfo];
        ReleaseSession = (delegate* unmanaged<IntPtr, void>)t[IdxReleaseSession];
        ReleaseValue = (delegate* unmanaged<IntPtr, void>)t[IdxReleaseValue];
        ReleaseTypeInfo = (delegate* unmanaged<IntPtr, void>)t[IdxReleaseTypeInfo];
        ReleaseTensorTypeAndShapeInfo = (delegate* unmanaged<IntPtr, void>)t[IdxReleaseTensorTypeAndShapeInfo];
        ReleaseSessionOptions = (delegate* unmanaged<IntPtr, void>)t[IdxReleaseSessionOptions];
        GetAvailableProviders = (delegate* unmanaged<byte***, int*, IntPtr>)t[IdxGetAvailableProviders];
        ReleaseAvailableProviders = (delegate* unmanaged<byte**, int, IntPtr>)t[IdxReleaseAvailableProviders];
        AddSessionConfigEntry = (delegate* unmanaged<IntPtr, byte*, byte*, IntPtr>)t[IdxAddSessionConfigEntry];
        SessionOptionsAppendExecutionProvider_CUDA_V2 = (delegate* unmanaged<IntPtr, IntPtr, IntPtr>)t[IdxSessionOptionsAppendExecutionProvider_CUDA_V2];
        CreateCUDAProviderOptions = (delegate* unmanaged<IntPtr*, IntPtr>)t[IdxCreateCUDAProviderOptions];
        UpdateCUDAProviderOptions = (delegate* unmanaged<IntPtr, byte**, byte**, nuint, IntPtr>)t[IdxUpdateCUDAProviderOptions];
        ReleaseCUDAProviderOptions = (delegate* unmanaged<IntPtr, void>)t[IdxReleaseCUDAProviderOptions];
        GetBuildInfoString = (delegate* unmanaged<byte*>)t[IdxGetBuildInfoString];
    }

    public uint ApiVersion { get; }
    public string VersionString { get; }
    public string LibraryPath { get; }

    public readonly delegate* unmanaged<IntPtr, int> GetErrorCode;
    public readonly delegate* unmanaged<IntPtr, byte*> GetErrorMessage;
    public readonly delegate* unmanaged<int, byte*, IntPtr*, IntPtr> CreateEnv;
    public readonly delegate* unmanaged<IntPtr, byte*, IntPtr, IntPtr*, IntPtr> CreateSession;
    public readonly delegate* unmanaged<IntPtr, void*, nuint, IntPtr, IntPtr*, IntPtr> CreateSessionFromArray;
    public readonly delegate* unmanaged<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr> Run;
    public readonly delegate* unmanaged<IntPtr*, IntPtr> CreateSessionOptions;
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetSessionGraphOptimizationLevel;
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetIntraOpNumThreads;
    public readonly delegate* unmanaged<IntPtr, int, IntPtr> SetInterOpNumThreads;
    public readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> SessionGetInputCount;
    public readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> SessionGetOutputCount;
    public readonly delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr> SessionGetInputTypeInfo;
    public readonly delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr> SessionGetOutputTypeInfo;
    public readonly delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetInputName;
    public readonly delegate* unmanaged<IntPtr, nuint, IntPtr, byte**, IntPtr> SessionGetOutputName;
    public readonly delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr> CreateTensorWithDataAsOrtValue;
    public readonly delegate* unmanaged<IntPtr, void**, IntPtr> GetTensorMutableData;
    public readonly delegate* unmanaged<IntPtr, IntPtr*, IntPtr> CastTypeInfoToTensorInfo;
    public readonly delegate* unmanaged<IntPtr, int*, IntPtr> GetOnnxTypeFromTypeInfo;
    public readonly delegate* unmanaged<IntPtr, int*, IntPtr> GetTensorElementType;
    public readonly delegate* unmanaged<IntPtr, nuint*, IntPtr> GetDimensionsCount;
    public readonly delegate* unmanaged<IntPtr, long*, nuint, IntPtr> GetDimensions;
    public readonly delegate* unmanaged<IntPtr, byte**, nuint, IntPtr> GetSymbolicDimensions;
    public readonly delegate* unmanaged<IntPtr, IntPtr*, IntPtr> GetTensorTypeAndShape;
    public readonly delegate* unmanaged<int, int, IntPtr*, IntPtr> CreateCpuMemoryInfo;
    public readonly delegate* unmanaged<IntPtr, void*, IntPtr> AllocatorFree;
    public readonly delegate* unmanaged<IntPtr*, IntPtr> GetAllocatorWithDefaultOptions;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseEnv;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseStatus;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseMemoryInfo;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseSession;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseValue;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseTypeInfo;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseTensorTypeAndShapeInfo;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseSessionOptions;
    public readonly delegate* unmanaged<byte***, int*, IntPtr> GetAvailableProviders;
    public readonly delegate* unmanaged<byte**, int, IntPtr> ReleaseAvailableProviders;
    public readonly delegate* unmanaged<IntPtr, byte*, byte*, IntPtr> AddSessionConfigEntry;
    public readonly delegate* unmanaged<IntPtr, IntPtr, IntPtr> SessionOptionsAppendExecutionProvider_CUDA_V2;
    public readonly delegate* unmanaged<IntPtr*, IntPtr> CreateCUDAProviderOptions;
    public readonly delegate* unmanaged<IntPtr, byte**, byte**, nuint, IntPtr> UpdateCUDAProviderOptions;
    public readonly delegate* unmanaged<IntPtr, void> ReleaseCUDAProviderOptions;
    public readonly delegate* unmanaged<byte*> GetBuildInfoString;

    /// <summary>Turns a non-null OrtStatus into an <see cref="OrtException"/> with ORT's message, releasing the status.</summary>
    public void Check(IntPtr status, string operation)
    {
        if (status == IntPtr.Zero) return;
        int code = GetErrorCode(status);
        string message = Marshal.PtrToStringUTF8((IntPtr)GetErrorMessage(status)) ?? "(no message)";
        ReleaseStatus(status);
        throw new OrtException(operation, (OrtErrorCode)code, message);
    }

    /// <summary>Copies an ORT-allocated string and frees it with the default allocator.</summary>
    public string TakeString(byte* value)
    {
        string s = Marshal.PtrToStringUTF8((IntPtr)value) ?? "";
        IntPtr allocator;
        Check(GetAllocatorWithDefaultOptions(&allocator), "GetAllocatorWithDefaultOptions");
        Check(AllocatorFree(allocator, value), "AllocatorFree");
        return s;
    }
}
