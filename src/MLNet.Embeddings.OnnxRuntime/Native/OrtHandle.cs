using System.Runtime.InteropServices;

namespace MLNet.Embeddings.OnnxRuntime.Native;

/// <summary>An ORT object pointer released with its own ReleaseX function, exactly once, even on finalisation.</summary>
internal sealed unsafe class OrtHandle : SafeHandle
{
    readonly delegate* unmanaged<IntPtr, void> _release;

    public OrtHandle(IntPtr handle, delegate* unmanaged<IntPtr, void> release) : base(IntPtr.Zero, ownsHandle: true)
    {
        _release = release;
        SetHandle(handle);
    }

    /// <summary>Runs after the native release (which waits for every DangerousAddRef user), e.g. to free memory the object's users read.</summary>
    public Action? AfterRelease { get; set; }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        _release(handle);
        AfterRelease?.Invoke();
        return true;
    }
}
