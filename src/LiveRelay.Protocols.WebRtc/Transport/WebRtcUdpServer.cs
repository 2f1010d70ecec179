using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Protocols.WebRtc.Stun;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Protocols.WebRtc.Transport;

/// <summary>
/// One UDP port for every WebRTC peer (ICE-lite, RFC 8445 §2.5): a datagram is STUN, DTLS or
/// SRTP/SRTCP by its first byte (RFC 7983). STUN binding requests are answered for the peer whose
/// ufrag is in USERNAME when MESSAGE-INTEGRITY verifies with its password (else 401, counted); the
/// address a check came from becomes that peer's address. DTLS and SRTP go to the peer bound to the
/// source address; anything else is dropped and counted. Nothing one peer sends can reach another.
/// </summary>
public sealed partial class WebRtcUdpServer : IAsyncDisposable
{
    private const int MaxDatagram = 2048;

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, WebRtcPeerConnection> _byUfrag = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<IPEndPoint, WebRtcPeerConnection> _byAddress = new();
    private readonly ConcurrentDictionary<SocketAddress, WebRtcPeerConnection> _bySocketAddress = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _dropped;
    private long _badIntegrity;
    private long _unknownUfrag;

    public WebRtcUdpServer(IPEndPoint bind, ILogger logger, LiveRelayMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(bind);
        _logger = logger;
        Metrics = metrics;
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6)
        {
            _socket.DualMode = true;
        }

        _socket.ReceiveBufferSize = 4 << 20;
        _socket.SendBufferSize = 4 << 20;
        _socket.Bind(bind);
    }

    /// <summary>Where refusals and drops are counted, if anywhere.</summary>
    internal LiveRelayMetrics? Metrics { get; }

    /// <summary>The bound port.</summary>
    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>Datagrams dropped: unknown kind or from an address no peer is bound to.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>STUN checks whose MESSAGE-INTEGRITY did not verify.</summary>
    public long BadIntegrity => Interlocked.Read(ref _badIntegrity);

    /// <summary>STUN checks for a ufrag no peer has.</summary>
    public long UnknownUfrag => Interlocked.Read(ref _unknownUfrag);

    public void Start() => _loop = Task.Run(ReceiveLoopAsync);

    internal void Add(WebRtcPeerConnection peer) => _byUfrag[peer.LocalUfrag] = peer;

    internal void Remove(WebRtcPeerConnection peer)
    {
        _byUfrag.TryRemove(new KeyValuePair<string, WebRtcPeerConnection>(peer.LocalUfrag, peer));
        foreach (var (address, bound) in _byAddress)
        {
            if (bound == peer)
            {
                _byAddress.TryRemove(address, out _);
            }
        }

        foreach (var (address, bound) in _bySocketAddress)
        {
            if (bound == peer)
            {
                _bySocketAddress.TryRemove(address, out _);
            }
        }
    }

    /// <summary>The address as the socket writes it (IPv4 mapped into IPv6 on a dual-mode socket), for allocation-free sends and lookups.</summary>
    internal SocketAddress SocketAddressOf(IPEndPoint endpoint) =>
        (_socket.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.AddressFamily == AddressFamily.InterNetwork
            ? new IPEndPoint(endpoint.Address.MapToIPv6(), endpoint.Port)
            : endpoint).Serialize();

    internal void Send(ReadOnlySpan<byte> datagram, IPEndPoint to) => Send(datagram, SocketAddressOf(to), to);

    internal void Send(ReadOnlySpan<byte> datagram, SocketAddress address, IPEndPoint to)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, address);
        }
        catch (SocketException ex)
        {
            // A peer that went away (ICMP unreachable) is found out by its timeouts, not here.
            Log.SendFailed(_logger, to.ToString(), ex.SocketErrorCode);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Closed under the loop.
        }

        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = GC.AllocateArray<byte>(MaxDatagram, pinned: true);
        var any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);

        // The sender's address is read into one reused SocketAddress: media datagrams find their peer
        // by it without making an IPEndPoint (STUN checks, a few a second per peer, do make one).
        var address = new SocketAddress(_socket.AddressFamily);
        while (!_stop.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, address, _stop.Token).ConfigureAwait(false);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
                continue; // ICMP port unreachable from an earlier send
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            try
            {
                OnDatagram(buffer.AsSpan(0, received), address, any);
            }
            catch (Exception ex)
            {
                // One peer's bad datagram (or a bug handling it) must not stop the port every peer shares.
                Interlocked.Increment(ref _dropped);
                Log.DatagramFailed(_logger, any.Create(address).ToString() ?? "", ex);
            }
        }
    }

    //  RFC 7983 §7: [0..3] STUN, [20..63] DTLS, [128..191] RTP/RTCP; everything else is dropped.
    private void OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress address, IPEndPoint any)
    {
        if (datagram.IsEmpty)
        {
            return;
        }

        switch (datagram[0])
        {
            case <= 3:
                OnStun(datagram, Normalize((IPEndPoint)any.Create(address)), null);
                break;
            case >= 20 and <= 63 when _bySocketAddress.TryGetValue(address, out var dtlsPeer):
                dtlsPeer.OnDtls(datagram);
                break;
            case >= 128 and <= 191 when _bySocketAddress.TryGetValue(address, out var mediaPeer):
                mediaPeer.OnSrtp(datagram);
                break;
            default:
                Interlocked.Increment(ref _dropped);
                Metrics?.WebRtcDropped("unroutable");
                break;
        }
    }

    /// <summary>
    /// Answers a STUN binding request for the peer it names (UDP, or an ICE-TCP connection when
    /// <paramref name="tcp"/> is given); returns that peer when the check verified.
    /// </summary>
    internal WebRtcPeerConnection? OnStun(ReadOnlySpan<byte> datagram, IPEndPoint from, PeerPath? tcp)
    {
        if (!StunMessage.IsStun(datagram) || !StunMessage.TryParse(datagram, out var message, out _)
            || message!.Class != StunClass.Request || message.Method != StunMessage.BindingMethod)
        {
            Interlocked.Increment(ref _dropped);
            return null;
        }

        PeerPath path = tcp ?? new UdpPeerPath(this, from);

        Span<byte> response = stackalloc byte[256];
        if (message.Username is not { } username || !IceCredentials.TrySplitUsername(username, out var local, out _)
            || !_byUfrag.TryGetValue(local, out var peer))
        {
            Interlocked.Increment(ref _unknownUfrag);
            Metrics?.WebRtcDropped("stun_unknown_ufrag");
            Log.UnknownUfrag(_logger, from.ToString(), message.Username ?? "");
            return null;
        }

        if (!message.HasMessageIntegrity || !StunMessage.VerifyMessageIntegrity(datagram, peer.LocalPasswordBytes))
        {
            Interlocked.Increment(ref _badIntegrity);
            Metrics?.WebRtcDropped("stun_integrity");
            Log.BadIntegrity(_logger, from.ToString(), local);
            path.Send(response[..StunWriter.WriteBindingError(response, message.TransactionId, 401, "Unauthorized", default)]);
            return null;
        }

        if (tcp is null)
        {
            if (_byAddress.TryGetValue(from, out var bound) && bound != peer)
            {
                // Another peer's address: a check must not steal it.
                Interlocked.Increment(ref _dropped);
                return null;
            }

            _byAddress[from] = peer;
            _bySocketAddress[SocketAddressOf(from)] = peer;
        }

        peer.OnBindingRequest(path, message.UseCandidate);
        path.Send(response[..StunWriter.WriteBindingSuccess(response, message.TransactionId, from, peer.LocalPasswordBytes)]);
        return peer;
    }

    private static IPEndPoint Normalize(IPEndPoint endpoint) =>
        endpoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port) : endpoint;

    private static partial class Log
    {
        [LoggerMessage(2700, LogLevel.Debug, "WebRTC: STUN check from {Remote} for unknown ufrag {Username}: dropped")]
        public static partial void UnknownUfrag(ILogger logger, string remote, string username);

        [LoggerMessage(2701, LogLevel.Information, "WebRTC: STUN check from {Remote} for {Ufrag} failed MESSAGE-INTEGRITY: 401")]
        public static partial void BadIntegrity(ILogger logger, string remote, string ufrag);

        [LoggerMessage(2702, LogLevel.Warning, "WebRTC: a datagram from {Remote} could not be handled; dropped")]
        public static partial void DatagramFailed(ILogger logger, string remote, Exception exception);

        [LoggerMessage(2703, LogLevel.Debug, "WebRTC: send to {Remote} failed: {Error}")]
        public static partial void SendFailed(ILogger logger, string remote, SocketError error);
    }
}
