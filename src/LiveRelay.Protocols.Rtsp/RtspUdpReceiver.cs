using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace LiveRelay.Protocols.Rtsp;

/// <summary>One RTP or RTCP packet received over UDP, in a pooled buffer that <see cref="RtspUdpReceiver.Return"/> gives back.</summary>
/// <param name="Channel">As interleaved channels are numbered: 2n for track n's RTP, 2n+1 for its RTCP.</param>
/// <param name="Buffer">The pooled buffer holding the packet.</param>
/// <param name="Length">The packet's length in <paramref name="Buffer"/>.</param>
public readonly record struct UdpPacket(byte Channel, byte[] Buffer, int Length);

/// <summary>
/// RTP and RTCP over UDP for an RTSP session (RFC 2326 §12.39 <c>client_port</c>): a pair of sockets
/// per track on an even port and the next one, each read by its own loop into one bounded queue
/// (a consumer that falls behind loses the newest packets, counted, never memory). Only packets from
/// the server's address are taken. Receiver reports go back to the server's RTCP ports, which also
/// opens a path through NAT for the media.
/// </summary>
public sealed class RtspUdpReceiver : IAsyncDisposable
{
    public const int MaxPacket = 2048;
    private const int QueuePackets = 4096;
    private const int PortAttempts = 64;

    private readonly Socket[] _sockets;
    private readonly IPAddress _server;
    private readonly IPEndPoint?[] _serverRtcp;
    private readonly Channel<UdpPacket> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private long _dropped;
    private long _foreign;
    private long _bytes;

    private RtspUdpReceiver(Socket[] sockets, IPAddress server)
    {
        _sockets = sockets;
        _server = server;
        _serverRtcp = new IPEndPoint?[sockets.Length / 2];
        _queue = Channel.CreateBounded<UdpPacket>(
            new BoundedChannelOptions(QueuePackets) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            dropped =>
            {
                Interlocked.Increment(ref _dropped);
                ArrayPool<byte>.Shared.Return(dropped.Buffer);
            });
    }

    /// <summary>Packets dropped because the consumer fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Packets from an address other than the server's, ignored.</summary>
    public long Foreign => Interlocked.Read(ref _foreign);

    /// <summary>Bytes received.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytes);

    /// <summary>Binds an RTP/RTCP port pair for each of <paramref name="tracks"/> tracks on <paramref name="local"/>.</summary>
    public static RtspUdpReceiver Open(IPAddress local, IPAddress server, int tracks)
    {
        ArgumentNullException.ThrowIfNull(local);
        var sockets = new Socket[tracks * 2];
        try
        {
            for (var track = 0; track < tracks; track++)
            {
                (sockets[2 * track], sockets[(2 * track) + 1]) = BindPair(local);
            }
        }
        catch
        {
            foreach (var socket in sockets)
            {
                socket?.Dispose();
            }

            throw;
        }

        return new RtspUdpReceiver(sockets, server);
    }

    /// <summary>The RTP port of a track (its RTCP port is the next one).</summary>
    public int RtpPort(int track) => ((IPEndPoint)_sockets[2 * track].LocalEndPoint!).Port;

    /// <summary>Starts receiving; the server's RTCP port of each track is where receiver reports go.</summary>
    public void Start(IReadOnlyList<int?> serverRtcpPorts)
    {
        ArgumentNullException.ThrowIfNull(serverRtcpPorts);
        for (var track = 0; track < _serverRtcp.Length && track < serverRtcpPorts.Count; track++)
        {
            _serverRtcp[track] = serverRtcpPorts[track] is { } port ? new IPEndPoint(_server, port) : null;
        }

        for (var i = 0; i < _sockets.Length; i++)
        {
            _loops.Add(ReceiveLoopAsync(_sockets[i], (byte)i));
        }
    }

    /// <summary>The next packet, or null when stopped. Give its buffer back with <see cref="Return"/>.</summary>
    public async ValueTask<UdpPacket?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _queue.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public static void Return(UdpPacket packet) => ArrayPool<byte>.Shared.Return(packet.Buffer);

    /// <summary>Sends an RTCP packet (a receiver report) from the track's RTCP port to the server's.</summary>
    public async ValueTask SendRtcpAsync(int track, ReadOnlyMemory<byte> packet, CancellationToken cancellationToken)
    {
        if (track < _serverRtcp.Length && _serverRtcp[track] is { } to)
        {
            await _sockets[(2 * track) + 1].SendToAsync(packet, SocketFlags.None, to, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The sockets were closed under the loops.
        }

        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var left))
        {
            Return(left);
        }

        _stop.Dispose();
    }

    private static (Socket Rtp, Socket Rtcp) BindPair(IPAddress local)
    {
        for (var attempt = 0; attempt < PortAttempts; attempt++)
        {
            var port = 2 * Random.Shared.Next(10000, 30000);
            var rtp = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            var rtcp = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                rtp.ReceiveBufferSize = 1 << 20;
                rtp.Bind(new IPEndPoint(local, port));
                rtcp.Bind(new IPEndPoint(local, port + 1));
                return (rtp, rtcp);
            }
            catch (SocketException)
            {
                rtp.Dispose();
                rtcp.Dispose();
            }
        }

        throw new RtspClientException($"no free pair of UDP ports for RTP after {PortAttempts} tries");
    }

    private async Task ReceiveLoopAsync(Socket socket, byte channel)
    {
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(MaxPacket);
            SocketReceiveFromResult result;
            try
            {
                result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                if (ex is SocketException { SocketErrorCode: SocketError.ConnectionReset } && !_stop.IsCancellationRequested)
                {
                    continue; // an ICMP unreachable from an earlier send; the socket still works
                }

                return;
            }

            if (result.RemoteEndPoint is not IPEndPoint from || !from.Address.Equals(_server))
            {
                Interlocked.Increment(ref _foreign);
                ArrayPool<byte>.Shared.Return(buffer);
                continue;
            }

            Interlocked.Add(ref _bytes, result.ReceivedBytes);
            if (!_queue.Writer.TryWrite(new UdpPacket(channel, buffer, result.ReceivedBytes)))
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
