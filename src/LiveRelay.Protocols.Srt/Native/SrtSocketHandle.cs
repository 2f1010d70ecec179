using System.Runtime.InteropServices;

namespace LiveRelay.Protocols.Srt.Native;

/// <summary>An SRT socket id owned by managed code; closed exactly once.</summary>
internal sealed class SrtSocketHandle : SafeHandle
{
    public SrtSocketHandle()
        : base(new nint(SrtNative.InvalidSocket), ownsHandle: true)
    {
    }

    public SrtSocketHandle(int socket)
        : this() => SetHandle(new nint(socket));

    public override bool IsInvalid => handle == new nint(SrtNative.InvalidSocket);

    /// <summary>The libsrt socket id.</summary>
    public int Id => (int)handle;

    protected override bool ReleaseHandle() => SrtNative.Close((int)handle) == 0;
}
