using System.Collections.Concurrent;
using Org.BouncyCastle.Crypto.Tls;

namespace LiveRelay.Protocols.WebRtc.Dtls;

/// <summary>
/// The datagram side of one DTLS handshake: records the UDP mux routed to this peer come in through
/// <see cref="Enqueue"/> (bounded: a flood is dropped, not stored), records the handshake writes go out
/// through a send callback. BouncyCastle's blocking handshake reads with <see cref="Receive"/>; past
/// the deadline every read fails, which ends a handshake that never completes.
/// </summary>
internal sealed class DatagramQueueTransport(Action<byte[], int, int> send, DateTime deadlineUtc) : DatagramTransport
{
    public const int Mtu = 1200;
    private const int MaxQueued = 64;

    private readonly BlockingCollection<byte[]> _received = new(new ConcurrentQueue<byte[]>(), MaxQueued);

    /// <summary>Records dropped because the queue was full.</summary>
    public long Dropped { get; private set; }

    public void Enqueue(ReadOnlySpan<byte> record)
    {
        if (!_received.IsAddingCompleted && !_received.TryAdd(record.ToArray()))
        {
            Dropped++;
        }
    }

    /// <summary>Whether the handshake's time is up.</summary>
    public bool PastDeadline => DateTime.UtcNow >= deadlineUtc;

    public int GetReceiveLimit() => Mtu;

    public int GetSendLimit() => Mtu;

    public int Receive(byte[] buf, int off, int len, int waitMillis)
    {
        var left = deadlineUtc - DateTime.UtcNow;
        if (left <= TimeSpan.Zero)
        {
            throw new TimeoutException("the DTLS handshake did not complete in time");
        }

        var wait = Math.Min(waitMillis, (int)Math.Ceiling(left.TotalMilliseconds));
        if (!_received.TryTake(out var record, wait))
        {
            return -1;
        }

        var length = Math.Min(len, record.Length);
        record.AsSpan(0, length).CopyTo(buf.AsSpan(off));
        return length;
    }

    public void Send(byte[] buf, int off, int len) => send(buf, off, len);

    public void Close() => _received.CompleteAdding();
}
