using System.Net;
using System.Text;
using LiveRelay.Protocols.WebRtc.Dtls;
using LiveRelay.Protocols.WebRtc.Srtp;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Protocols.WebRtc.Transport;

/// <summary>Where a peer connection stands.</summary>
public enum PeerState
{
    /// <summary>Waiting for the peer's first STUN check.</summary>
    New,

    /// <summary>ICE checks arrived; the DTLS handshake runs.</summary>
    Connecting,

    /// <summary>DTLS done: SRTP flows.</summary>
    Connected,

    /// <summary>Timed out, refused, or closed.</summary>
    Closed,
}

/// <summary>
/// One WebRTC peer on the shared UDP port: ICE-lite (answers the peer's checks, follows its
/// nominated address), the DTLS-SRTP handshake as server, then SRTP/SRTCP both ways. Media is
/// handed out decrypted through <see cref="RtpReceived"/> and <see cref="RtcpReceived"/>; packets
/// that fail authentication are dropped and counted. A peer whose checks stop for
/// <see cref="ConsentTimeout"/>, or whose handshake does not complete, is closed with the reason.
/// </summary>
public sealed partial class WebRtcPeerConnection : IAsyncDisposable
{
    /// <summary>How long the peer may take to start checks and finish DTLS, and how long checks may stop (RFC 7675 consent).</summary>
    public static readonly TimeSpan ConsentTimeout = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan s_handshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly WebRtcUdpServer _server;
    private readonly DtlsCertificate _certificate;
    private readonly byte[] _remoteFingerprint;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _sendLock = new();
    private readonly byte[] _sendBuffer = new byte[1500];
    private readonly Timer _watchdog;
    private DtlsHandshake? _handshake;
    private SrtpContext? _protect;
    private SrtpContext? _unprotect;
    private PeerPath? _path;
    private long _lastCheck = Environment.TickCount64;
    private readonly long _createdAt = Environment.TickCount64;
    private long _srtpFailures;

    public WebRtcPeerConnection(WebRtcUdpServer server, DtlsCertificate certificate, string localUfrag, string localPassword, byte[] remoteFingerprint, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(server);
        _server = server;
        _certificate = certificate;
        LocalUfrag = localUfrag;
        LocalPasswordBytes = Encoding.UTF8.GetBytes(localPassword);
        _remoteFingerprint = remoteFingerprint;
        _logger = logger;
        _watchdog = new Timer(static state => ((WebRtcPeerConnection)state!).Watch(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        server.Add(this);
    }

    public string LocalUfrag { get; }

    internal byte[] LocalPasswordBytes { get; }

    public PeerState State { get; private set; } = PeerState.New;

    /// <summary>The peer's address, once a check arrived.</summary>
    public IPEndPoint? RemoteEndPoint => _path?.Remote;

    /// <summary>"udp" or "tcp" (ICE-TCP), once a check arrived.</summary>
    public string? PathProtocol => _path?.Protocol;

    /// <summary>The SRTP profile DTLS agreed.</summary>
    public SrtpProfile? Profile { get; private set; }

    /// <summary>SRTP/SRTCP packets that failed authentication or replay checks.</summary>
    public long SrtpFailures => Interlocked.Read(ref _srtpFailures);

    /// <summary>Completes when SRTP can flow; faults when the connection closes first.</summary>
    public Task Connected => _connected.Task;

    /// <summary>Completes with the reason when the connection closes.</summary>
    public Task<string> Closed => _closed.Task;

    /// <summary>A decrypted RTP packet (on the receive loop's thread: do not block).</summary>
    public Action<ReadOnlySpan<byte>>? RtpReceived { get; set; }

    /// <summary>A decrypted RTCP compound packet (on the receive loop's thread: do not block).</summary>
    public Action<ReadOnlySpan<byte>>? RtcpReceived { get; set; }

    /// <summary>Protects and sends an RTP packet (<paramref name="packet"/> is not changed).</summary>
    public bool SendRtp(ReadOnlySpan<byte> packet) => Send(packet, rtcp: false);

    /// <summary>Protects and sends an RTCP compound packet.</summary>
    public bool SendRtcp(ReadOnlySpan<byte> packet) => Send(packet, rtcp: true);

    /// <summary>Closes the connection with a reason (idempotent).</summary>
    public void Close(string reason)
    {
        if (!_closed.TrySetResult(reason))
        {
            return;
        }

        State = PeerState.Closed;
        _connected.TrySetException(new IOException(reason));
        _handshake?.Abort();
        _server.Remove(this);
        _watchdog.Dispose();
        Log.Closed(_logger, LocalUfrag, _path?.ToString() ?? "", reason);
    }

    public ValueTask DisposeAsync()
    {
        Close("closed");
        lock (_sendLock)
        {
            _protect?.Dispose();
            _protect = null;
        }

        _unprotect?.Dispose();
        return ValueTask.CompletedTask;
    }

    internal void OnBindingRequest(PeerPath path, bool useCandidate)
    {
        Volatile.Write(ref _lastCheck, Environment.TickCount64);
        if (_path is null || (useCandidate && !_path.Equals(path)))
        {
            _path = path;
        }

        if (State == PeerState.New)
        {
            State = PeerState.Connecting;
            _handshake = new DtlsHandshake(_certificate, _remoteFingerprint, (buffer, offset, length) => _path!.Send(buffer.AsSpan(offset, length)), s_handshakeTimeout);
            _ = CompleteHandshakeAsync(_handshake);
        }
    }

    internal void OnDtls(ReadOnlySpan<byte> record) => _handshake?.Receive(record);

    /// <summary>A DTLS or SRTP packet from an ICE-TCP path (UDP ones are routed by first byte in the UDP server).</summary>
    internal void OnPacket(ReadOnlySpan<byte> packet, PeerPath path)
    {
        switch (packet[0])
        {
            case >= 20 and <= 63:
                OnDtls(packet);
                break;
            case >= 128 and <= 191:
                OnSrtp(packet);
                break;
        }
    }

    internal void OnSrtp(ReadOnlySpan<byte> datagram)
    {
        var unprotect = _unprotect;
        if (unprotect is null || datagram.Length < 12)
        {
            return;
        }

        Span<byte> packet = stackalloc byte[datagram.Length];
        datagram.CopyTo(packet);

        // RFC 5761 §4: RTCP packet types 192–223 in the second byte (the marker bit is part of it for RTP).
        var isRtcp = packet[1] is >= 192 and <= 223;
        int length;
        SrtpError error;
        var ok = isRtcp ? unprotect.TryUnprotectRtcp(packet, out length, out error) : unprotect.TryUnprotectRtp(packet, out length, out error);
        if (!ok)
        {
            _server.Metrics?.WebRtcDropped("srtp_auth");
            if (Interlocked.Increment(ref _srtpFailures) is 1 or 100 or 10_000)
            {
                Log.SrtpDropped(_logger, LocalUfrag, error, Interlocked.Read(ref _srtpFailures));
            }

            return;
        }

        if (isRtcp)
        {
            RtcpReceived?.Invoke(packet[..length]);
        }
        else
        {
            RtpReceived?.Invoke(packet[..length]);
        }
    }

    private async Task CompleteHandshakeAsync(DtlsHandshake handshake)
    {
        try
        {
            var keys = await handshake.RunAsync().ConfigureAwait(false);
            var (local, remote) = DtlsSrtpKeys.FromKeyingMaterial(keys.Profile, keys.KeyingMaterial, isServer: true);
            lock (_sendLock)
            {
                _protect = local;
            }

            _unprotect = remote;
            Profile = keys.Profile;
            State = PeerState.Connected;
            Log.Connected(_logger, LocalUfrag, _path?.ToString() ?? "", keys.Profile);
            _connected.TrySetResult();
        }
        catch (DtlsHandshakeException ex)
        {
            _server.Metrics?.WebRtcDropped(ex.Message.Contains("in time", StringComparison.Ordinal) ? "dtls_timeout" : "dtls_failed");
            Close(ex.Message);
        }
    }

    private bool Send(ReadOnlySpan<byte> packet, bool rtcp)
    {
        lock (_sendLock)
        {
            if (_protect is null || _path is null || packet.Length + 32 > _sendBuffer.Length)
            {
                return false;
            }

            packet.CopyTo(_sendBuffer);
            var ok = rtcp ? _protect.TryProtectRtcp(_sendBuffer, packet.Length, out var length) : _protect.TryProtectRtp(_sendBuffer, packet.Length, out length);
            if (ok)
            {
                _path.Send(_sendBuffer.AsSpan(0, length));
            }

            return ok;
        }
    }

    private void Watch()
    {
        var now = Environment.TickCount64;
        if (State == PeerState.New && now - _createdAt > ConsentTimeout.TotalMilliseconds)
        {
            Close($"no ICE check arrived in {ConsentTimeout.TotalSeconds:0} s");
        }
        else if (State is PeerState.Connecting or PeerState.Connected && now - Volatile.Read(ref _lastCheck) > ConsentTimeout.TotalMilliseconds)
        {
            Close($"the peer stopped its ICE checks (no consent for {ConsentTimeout.TotalSeconds:0} s)");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2710, LogLevel.Information, "WebRTC peer {Ufrag} at {Remote}: connected, SRTP {Profile}")]
        public static partial void Connected(ILogger logger, string ufrag, string remote, SrtpProfile profile);

        [LoggerMessage(2711, LogLevel.Information, "WebRTC peer {Ufrag} at {Remote}: closed: {Reason}")]
        public static partial void Closed(ILogger logger, string ufrag, string remote, string reason);

        [LoggerMessage(2712, LogLevel.Warning, "WebRTC peer {Ufrag}: SRTP packet dropped ({Error}); {Count} so far")]
        public static partial void SrtpDropped(ILogger logger, string ufrag, SrtpError error, long count);
    }
}
