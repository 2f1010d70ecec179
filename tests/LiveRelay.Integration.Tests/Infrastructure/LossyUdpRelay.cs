using System.Net;
using System.Net.Sockets;

namespace LiveRelay.Integration.Tests.Infrastructure;

/// <summary>
/// A UDP relay on loopback that drops a share of the datagrams in both directions, for one caller at a
/// time: an SRT caller connects to <see cref="Port"/> and reaches <c>target</c> over a lossy path. SRT
/// handshake packets are never dropped (so connection set-up time does not depend on luck); data and
/// every other control packet (ACK, NAK, ACKACK, keepalive) are. Drops follow a seeded generator, so a
/// run is repeatable.
/// </summary>
public sealed class LossyUdpRelay : IAsyncDisposable
{
    private readonly Socket _front = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _back = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly double _dropRate;
    private readonly bool _spareWebRtcHandshakes;
    private readonly Task _upstream;
    private readonly Task _downstream;
    private volatile IPEndPoint? _caller;
    private long _droppedUp;
    private long _droppedDown;

    public LossyUdpRelay(IPEndPoint target, double dropRate, int seed, bool spareWebRtcHandshakes = false)
    {
        _dropRate = dropRate;
        _spareWebRtcHandshakes = spareWebRtcHandshakes;
        _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _back.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _back.Connect(target);
        _upstream = Task.Run(() => UpstreamAsync(new Random(seed)));
        _downstream = Task.Run(() => DownstreamAsync(new Random(seed + 1)));
    }

    /// <summary>The port callers connect to.</summary>
    public int Port => ((IPEndPoint)_front.LocalEndPoint!).Port;

    /// <summary>Datagrams dropped from caller to target.</summary>
    public long DroppedUpstream => Interlocked.Read(ref _droppedUp);

    /// <summary>Datagrams dropped from target to caller.</summary>
    public long DroppedDownstream => Interlocked.Read(ref _droppedDown);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _front.Dispose();
        _back.Dispose();
        await Task.WhenAll(_upstream, _downstream).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task UpstreamAsync(Random random)
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            var received = await _front.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            _caller = (IPEndPoint)received.RemoteEndPoint;
            if (Drop(buffer.AsSpan(0, received.ReceivedBytes), random))
            {
                Interlocked.Increment(ref _droppedUp);
                continue;
            }

            await _back.SendAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, _stop.Token);
        }
    }

    private async Task DownstreamAsync(Random random)
    {
        var buffer = new byte[2048];
        while (!_stop.IsCancellationRequested)
        {
            var length = await _back.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (_caller is not { } caller)
            {
                continue;
            }

            if (Drop(buffer.AsSpan(0, length), random))
            {
                Interlocked.Increment(ref _droppedDown);
                continue;
            }

            await _front.SendToAsync(buffer.AsMemory(0, length), SocketFlags.None, caller, _stop.Token);
        }
    }

    // SRT packet header: bit 0 of byte 0 set = control packet; control type in the rest of the first 16 bits (0 = handshake).
    // WebRTC (RFC 7983): first byte 0–3 STUN, 20–63 DTLS.
    private bool Drop(ReadOnlySpan<byte> datagram, Random random)
    {
        var handshake = _spareWebRtcHandshakes
            ? datagram.Length > 0 && (datagram[0] <= 3 || datagram[0] is >= 20 and <= 63) // WebRTC: STUN and DTLS pass, SRTP may be lost
            : datagram.Length >= 2 && datagram[0] == 0x80 && datagram[1] == 0x00;
        return !handshake && random.NextDouble() < _dropRate;
    }
}
