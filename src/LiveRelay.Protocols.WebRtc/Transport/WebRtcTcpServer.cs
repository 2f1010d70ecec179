using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using LiveRelay.Protocols.WebRtc.Stun;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Protocols.WebRtc.Transport;

/// <summary>
/// ICE-TCP, passive side (RFC 6544): peers whose UDP cannot get through connect here, and every
/// STUN, DTLS and SRTP packet travels framed by a 2-byte length (RFC 4571). The first packet of a
/// connection must be a STUN check that names a peer and verifies with its password, within a few
/// seconds; then the connection is that peer's path. Bounded: packets up to 1500 bytes, connections
/// that send nothing valid are closed.
/// </summary>
public sealed partial class WebRtcTcpServer : IAsyncDisposable
{
    private const int MaxPacket = 1500;
    private static readonly TimeSpan s_firstCheck = TimeSpan.FromSeconds(10);

    private readonly WebRtcUdpServer _peers;
    private readonly Socket _listener;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _accept = Task.CompletedTask;

    /// <param name="bind">Where to listen.</param>
    /// <param name="peers">The UDP server, which knows the peers by ufrag.</param>
    /// <param name="logger">Where refusals go.</param>
    public WebRtcTcpServer(IPEndPoint bind, WebRtcUdpServer peers, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(bind);
        _peers = peers;
        _logger = logger;
        _listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6)
        {
            _listener.DualMode = true;
        }

        _listener.Bind(bind);
        _listener.Listen(128);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public void Start() => _accept = Task.Run(AcceptLoopAsync);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        try
        {
            await _accept.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Closed under the loop.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            socket.NoDelay = true;
            socket.SendTimeout = 2000; // a peer that stops reading loses its path, not our threads
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        remote = remote.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(remote.Address.MapToIPv4(), remote.Port) : remote;
        var path = new TcpPeerPath(socket, remote);
        WebRtcPeerConnection? peer = null;
        var buffer = new byte[2 + MaxPacket];
        using var first = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        first.CancelAfter(s_firstCheck);
        try
        {
            while (true)
            {
                //  RFC 4571 framing: length (16) | packet
                var token = peer is null ? first.Token : _stop.Token;
                if (!await ReadExactlyAsync(socket, buffer.AsMemory(0, 2), token).ConfigureAwait(false))
                {
                    break;
                }

                var length = BinaryPrimitives.ReadUInt16BigEndian(buffer);
                if (length is 0 or > MaxPacket)
                {
                    Log.Refused(_logger, remote.ToString(), $"a framed packet of {length} bytes");
                    break;
                }

                if (!await ReadExactlyAsync(socket, buffer.AsMemory(2, length), token).ConfigureAwait(false))
                {
                    break;
                }

                var packet = buffer.AsSpan(2, length);
                if (packet[0] <= 3)
                {
                    peer = _peers.OnStun(packet, remote, path) ?? peer;
                    if (peer is null)
                    {
                        Log.Refused(_logger, remote.ToString(), "a first packet that is not a valid STUN check for a known peer");
                        break;
                    }
                }
                else if (peer is not null)
                {
                    peer.OnPacket(packet, path);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The peer left, the first check never came, or the server stops.
        }
        finally
        {
            path.Close();
        }
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var count = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (count == 0)
            {
                return false;
            }

            read += count;
        }

        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(2705, LogLevel.Information, "WebRTC ICE-TCP connection from {Remote} closed: {Reason}")]
        public static partial void Refused(ILogger logger, string remote, string reason);
    }
}

/// <summary>A peer's ICE-TCP connection: packets go out framed by their length, one writer at a time.</summary>
internal sealed class TcpPeerPath(Socket socket, IPEndPoint remote) : PeerPath
{
    private readonly Lock _lock = new();
    private readonly byte[] _frame = new byte[2 + 1500];
    private bool _closed;

    public override IPEndPoint Remote => remote;

    public override string Protocol => "tcp";

    public override void Send(ReadOnlySpan<byte> packet)
    {
        lock (_lock)
        {
            if (_closed || packet.Length > 1500)
            {
                return;
            }

            BinaryPrimitives.WriteUInt16BigEndian(_frame, (ushort)packet.Length);
            packet.CopyTo(_frame.AsSpan(2));
            try
            {
                socket.Send(_frame.AsSpan(0, 2 + packet.Length));
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                _closed = true;
            }
        }
    }

    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }

        socket.Dispose();
    }
}
