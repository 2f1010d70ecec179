using System.Runtime.InteropServices;

namespace LiveRelay.Protocols.Srt.Native;

/// <summary>
/// libsrt 1.5 entry points (Debian's libsrt1.5-openssl, <c>libsrt.so.1.5</c>), declared with
/// source-generated <see cref="LibraryImportAttribute"/>. Only <see cref="SrtSocket"/> calls these.
/// </summary>
internal static partial class SrtNative
{
    public const string Library = "libsrt.so.1.5";
    public const int InvalidSocket = -1;
    public const int Error = -1;

    [LibraryImport(Library, EntryPoint = "srt_startup")]
    public static partial int Startup();

    [LibraryImport(Library, EntryPoint = "srt_create_socket")]
    public static partial int CreateSocket();

    [LibraryImport(Library, EntryPoint = "srt_bind")]
    public static unsafe partial int Bind(int socket, byte* address, int addressLength);

    [LibraryImport(Library, EntryPoint = "srt_listen")]
    public static partial int Listen(int socket, int backlog);

    [LibraryImport(Library, EntryPoint = "srt_accept")]
    public static unsafe partial int Accept(int socket, byte* address, int* addressLength);

    [LibraryImport(Library, EntryPoint = "srt_connect")]
    public static unsafe partial int Connect(int socket, byte* address, int addressLength);

    [LibraryImport(Library, EntryPoint = "srt_close")]
    public static partial int Close(int socket);

    [LibraryImport(Library, EntryPoint = "srt_setsockflag")]
    public static unsafe partial int SetSockFlag(int socket, SrtOption option, void* value, int length);

    [LibraryImport(Library, EntryPoint = "srt_getsockflag")]
    public static unsafe partial int GetSockFlag(int socket, SrtOption option, void* value, int* length);

    [LibraryImport(Library, EntryPoint = "srt_sendmsg")]
    public static unsafe partial int SendMessage(int socket, byte* buffer, int length, int ttl, int inOrder);

    [LibraryImport(Library, EntryPoint = "srt_recvmsg")]
    public static unsafe partial int ReceiveMessage(int socket, byte* buffer, int length);

    [LibraryImport(Library, EntryPoint = "srt_getlasterror_str")]
    public static partial nint GetLastErrorString();

    [LibraryImport(Library, EntryPoint = "srt_getlasterror")]
    public static unsafe partial int GetLastError(int* errno);

    [LibraryImport(Library, EntryPoint = "srt_getsockstate")]
    public static partial SrtSocketStatus GetSocketState(int socket);

    [LibraryImport(Library, EntryPoint = "srt_bstats")]
    public static unsafe partial int BStats(int socket, SrtStatistics* statistics, int clear);

    [LibraryImport(Library, EntryPoint = "srt_getrejectreason")]
    public static partial int GetRejectReason(int socket);

    [LibraryImport(Library, EntryPoint = "srt_setrejectreason")]
    public static partial int SetRejectReason(int socket, int reason);

    /// <summary>
    /// <c>srt_listen_callback</c>: libsrt calls <paramref name="hook"/> (on its receiver thread) for each
    /// caller before the handshake completes; returning -1 refuses the caller with the reason set by
    /// <see cref="SetRejectReason"/> on the new socket.
    /// </summary>
    [LibraryImport(Library, EntryPoint = "srt_listen_callback")]
    public static unsafe partial int ListenCallback(int listener, delegate* unmanaged[Cdecl]<nint, int, int, byte*, byte*, int> hook, nint opaque);

    [LibraryImport(Library, EntryPoint = "srt_setloglevel")]
    public static partial void SetLogLevel(int level);

    [LibraryImport(Library, EntryPoint = "srt_setlogflags")]
    public static partial void SetLogFlags(int flags);

    /// <summary><c>srt_setloghandler</c>: (opaque, level, file, line, area, message).</summary>
    [LibraryImport(Library, EntryPoint = "srt_setloghandler")]
    public static unsafe partial void SetLogHandler(nint opaque, delegate* unmanaged[Cdecl]<nint, int, byte*, int, byte*, byte*, void> handler);

    [LibraryImport(Library, EntryPoint = "srt_epoll_create")]
    public static partial int EpollCreate();

    [LibraryImport(Library, EntryPoint = "srt_epoll_add_usock")]
    public static unsafe partial int EpollAdd(int epoll, int socket, int* events);

    [LibraryImport(Library, EntryPoint = "srt_epoll_remove_usock")]
    public static partial int EpollRemove(int epoll, int socket);

    [LibraryImport(Library, EntryPoint = "srt_epoll_uwait")]
    public static unsafe partial int EpollWait(int epoll, SrtEpollEvent* events, int capacity, long timeoutMs);

    [LibraryImport(Library, EntryPoint = "srt_epoll_release")]
    public static partial int EpollRelease(int epoll);
}

/// <summary>The <c>SRT_SOCKOPT</c> values used here (srt.h).</summary>
internal enum SrtOption
{
    SendSync = 1,
    ReceiveSync = 2,
    ReuseAddress = 15,
    Latency = 23,
    Passphrase = 26,
    KeyLength = 27,
    ConnectTimeout = 36,
    StreamId = 46,
    TransmissionType = 50,
}

/// <summary><c>SRT_SOCKSTATUS</c>.</summary>
public enum SrtSocketStatus
{
    Init = 1,
    Opened,
    Listening,
    Connecting,
    Connected,
    Broken,
    Closing,
    Closed,
    NonExistent,
}

/// <summary><c>SRT_EPOLL_EVENT</c>: a socket and its ready events.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SrtEpollEvent
{
    public int Socket;
    public int Events;

    public const int In = 0x1;
    public const int Out = 0x4;
    public const int Err = 0x8;
}
