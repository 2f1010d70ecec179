using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using LiveRelay.Protocols.Srt.Native;

namespace LiveRelay.Protocols.Srt;

/// <summary>
/// One SRT socket in live mode. A thin, safe wrapper over libsrt: options, bind/listen/accept,
/// connect, message send/receive, statistics. Errors become <see cref="SrtException"/> with
/// libsrt's message. Blocking by default; the epoll loop sets sockets non-blocking.
/// </summary>
public sealed class SrtSocket : IDisposable
{
    /// <summary>SRT's live-mode payload: seven 188-byte TS packets.</summary>
    public const int LivePayloadSize = 1316;

    private static readonly Lazy<bool> s_started = new(() =>
    {
        SrtException.ThrowIfError(SrtNative.Startup(), "startup");
        return true;
    });

    private readonly SrtSocketHandle _handle;
    private GCHandle _admission;

    private SrtSocket(SrtSocketHandle handle) => _handle = handle;

    /// <summary>libsrt's socket id (for logs and epoll).</summary>
    public int Id => _handle.Id;

    /// <summary>The socket's state.</summary>
    public SrtSocketStatus Status => SrtNative.GetSocketState(_handle.Id);

    /// <summary>Creates a socket in live transmission mode (the default of libsrt).</summary>
    public static SrtSocket Create()
    {
        _ = s_started.Value;
        var id = SrtNative.CreateSocket();
        if (id == SrtNative.InvalidSocket)
        {
            throw SrtException.Last("create_socket");
        }

        return new SrtSocket(new SrtSocketHandle(id));
    }

    /// <summary>TSBPD latency in milliseconds (both directions).</summary>
    public void SetLatency(int milliseconds) => SetInt(SrtOption.Latency, milliseconds, "set latency");

    /// <summary>Encryption passphrase (10–79 characters) and key length (16, 24 or 32 bytes).</summary>
    public void SetPassphrase(string passphrase, int keyLength = 16)
    {
        SetInt(SrtOption.KeyLength, keyLength, "set key length");
        SetString(SrtOption.Passphrase, passphrase, "set passphrase");
    }

    /// <summary>The stream id a caller sends (at most 512 bytes).</summary>
    public void SetStreamId(string streamId) => SetString(SrtOption.StreamId, streamId, "set streamid");

    /// <summary>Blocking (true) or non-blocking send and receive.</summary>
    public void SetBlocking(bool blocking)
    {
        SetInt(SrtOption.SendSync, blocking ? 1 : 0, "set sndsyn");
        SetInt(SrtOption.ReceiveSync, blocking ? 1 : 0, "set rcvsyn");
    }

    /// <summary>Connect timeout for callers.</summary>
    public void SetConnectTimeout(int milliseconds) => SetInt(SrtOption.ConnectTimeout, milliseconds, "set connect timeout");

    /// <summary>The stream id the peer sent (on an accepted socket).</summary>
    public unsafe string GetStreamId()
    {
        var buffer = stackalloc byte[513];
        var length = 512;
        SrtException.ThrowIfError(SrtNative.GetSockFlag(_handle.Id, SrtOption.StreamId, buffer, &length), "get streamid");
        return Encoding.UTF8.GetString(buffer, Math.Clamp(length, 0, 512));
    }

    public unsafe void Bind(IPEndPoint endPoint)
    {
        var address = SocketAddress(endPoint);
        fixed (byte* p = address)
        {
            SrtException.ThrowIfError(SrtNative.Bind(_handle.Id, p, address.Length), $"bind {endPoint}");
        }
    }

    public void Listen(int backlog = 64) => SrtException.ThrowIfError(SrtNative.Listen(_handle.Id, backlog), "listen");

    /// <summary>
    /// Lets <paramref name="admission"/> decide about each caller of this listener before the handshake
    /// completes, so a refused caller gets the reject reason instead of a connection that closes. Called on
    /// libsrt's receiver thread; exceptions refuse the caller with <see cref="SrtRejectReason.InternalError"/>.
    /// </summary>
    public unsafe void SetAdmission(SrtAdmission admission)
    {
        if (_admission.IsAllocated)
        {
            throw new InvalidOperationException("The admission callback is already set.");
        }

        _admission = GCHandle.Alloc(admission);
        SrtException.ThrowIfError(SrtNative.ListenCallback(_handle.Id, &OnCaller, GCHandle.ToIntPtr(_admission)), "listen callback");
    }

    /// <summary>Accepts a caller; blocks unless the socket is non-blocking.</summary>
    public unsafe SrtSocket Accept(out IPEndPoint? remote)
    {
        var address = stackalloc byte[128];
        var length = 128;
        var id = SrtNative.Accept(_handle.Id, address, &length);
        if (id == SrtNative.InvalidSocket)
        {
            throw SrtException.Last("accept");
        }

        remote = ToEndPoint(new ReadOnlySpan<byte>(address, length));
        return new SrtSocket(new SrtSocketHandle(id));
    }

    public unsafe void Connect(IPEndPoint endPoint)
    {
        var address = SocketAddress(endPoint);
        fixed (byte* p = address)
        {
            SrtException.ThrowIfError(SrtNative.Connect(_handle.Id, p, address.Length), $"connect {endPoint}");
        }
    }

    /// <summary>Sends one message (at most <see cref="LivePayloadSize"/> bytes in live mode).</summary>
    public unsafe int Send(ReadOnlySpan<byte> message)
    {
        fixed (byte* p = message)
        {
            return SrtException.ThrowIfError(SrtNative.SendMessage(_handle.Id, p, message.Length, -1, 1), "send");
        }
    }

    /// <summary>Receives one message; returns its length (0 when the peer closed).</summary>
    public unsafe int Receive(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            var result = SrtNative.ReceiveMessage(_handle.Id, p, buffer.Length);
            if (result == SrtNative.Error && Status is SrtSocketStatus.Broken or SrtSocketStatus.Closed or SrtSocketStatus.NonExistent)
            {
                return 0;
            }

            return SrtException.ThrowIfError(result, "receive");
        }
    }

    /// <summary>libsrt's "would block" codes (SRT_EASYNCSND / SRT_EASYNCRCV / SRT_EASYNCFAIL).</summary>
    private const int AsyncSend = 6001;
    private const int AsyncReceive = 6002;
    private const int AsyncFail = 6000;

    /// <summary>
    /// Non-blocking receive: the message length, -1 when nothing is ready (try again after epoll
    /// says so), 0 when the connection is gone.
    /// </summary>
    public unsafe int TryReceive(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            var result = SrtNative.ReceiveMessage(_handle.Id, p, buffer.Length);
            if (result != SrtNative.Error)
            {
                return result;
            }
        }

        var error = SrtException.Last("receive");
        if (error.Code is AsyncReceive or AsyncFail)
        {
            return -1;
        }

        return Status is SrtSocketStatus.Broken or SrtSocketStatus.Closed or SrtSocketStatus.NonExistent ? 0 : throw error;
    }

    /// <summary>Non-blocking accept: a caller, or null when none is waiting.</summary>
    public unsafe SrtSocket? TryAccept(out IPEndPoint? remote)
    {
        var address = stackalloc byte[128];
        var length = 128;
        var id = SrtNative.Accept(_handle.Id, address, &length);
        if (id == SrtNative.InvalidSocket)
        {
            var error = SrtException.Last("accept");
            remote = null;
            return error.Code is AsyncReceive or AsyncFail or AsyncSend ? null : throw error;
        }

        remote = ToEndPoint(new ReadOnlySpan<byte>(address, length));
        return new SrtSocket(new SrtSocketHandle(id));
    }

    /// <summary>libsrt's statistics (totals since the start, and rates).</summary>
    public unsafe SrtStatistics GetStatistics(bool clear = false)
    {
        SrtStatistics stats;
        SrtException.ThrowIfError(SrtNative.BStats(_handle.Id, &stats, clear ? 1 : 0), "bstats");
        return stats;
    }

    /// <summary>Why the connection was rejected (SRT_REJ_* or SRT_REJX_* codes).</summary>
    public int RejectReason => SrtNative.GetRejectReason(_handle.Id);

    public void Dispose()
    {
        _handle.Dispose();
        if (_admission.IsAllocated)
        {
            _admission.Free();
        }
    }

    // srt_listen_callback_fn: (void* opaque, SRTSOCKET ns, int hsversion, const struct sockaddr* peer, const char* streamid).
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe int OnCaller(nint opaque, int socket, int handshakeVersion, byte* peer, byte* streamId)
    {
        int reason;
        try
        {
            var admission = (SrtAdmission)GCHandle.FromIntPtr(opaque).Target!;
            var text = streamId is null ? "" : Marshal.PtrToStringUTF8((nint)streamId, Math.Min(SrtStreamId.MaxLength, StrLen(streamId))) ?? "";
            var remote = peer is null ? null : ToEndPoint(new ReadOnlySpan<byte>(peer, PeerLength(peer)));
            SrtLibraryLog.SetCaller($"{remote} (streamid '{text}')");
            reason = admission(text, remote, new SrtCaller(socket));
        }
        catch (Exception)
        {
            reason = SrtRejectReason.InternalError;
        }

        if (reason == 0)
        {
            return 0;
        }

        _ = SrtNative.SetRejectReason(socket, reason);
        return -1;
    }

    private static unsafe int StrLen(byte* text)
    {
        var length = 0;
        while (length <= SrtStreamId.MaxLength && text[length] != 0)
        {
            length++;
        }

        return length;
    }

    // sockaddr's family is its first 16-bit field: AF_INET (2) → sockaddr_in (16 bytes), AF_INET6 (10) → sockaddr_in6 (28).
    private static unsafe int PeerLength(byte* peer) => *(ushort*)peer == 10 ? 28 : 16;

    private unsafe void SetInt(SrtOption option, int value, string operation) =>
        SrtException.ThrowIfError(SrtNative.SetSockFlag(_handle.Id, option, &value, sizeof(int)), operation);

    private unsafe void SetString(SrtOption option, string value, string operation)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        fixed (byte* p = bytes)
        {
            SrtException.ThrowIfError(SrtNative.SetSockFlag(_handle.Id, option, p, bytes.Length), operation);
        }
    }

    /// <summary>A native sockaddr (sockaddr_in / sockaddr_in6) for the endpoint.</summary>
    private static byte[] SocketAddress(IPEndPoint endPoint)
    {
        var address = endPoint.Serialize();
        var bytes = new byte[address.Size];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = address[i];
        }

        return bytes;
    }

    private static IPEndPoint? ToEndPoint(ReadOnlySpan<byte> native)
    {
        if (native.Length < 2)
        {
            return null;
        }

        var family = native.Length >= 28 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var address = new SocketAddress(family, native.Length);
        for (var i = 0; i < native.Length; i++)
        {
            address[i] = native[i];
        }

        var template = family == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        return template.Create(address) as IPEndPoint;
    }
}
