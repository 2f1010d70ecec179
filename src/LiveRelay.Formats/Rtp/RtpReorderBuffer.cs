using System.Buffers;
using System.Buffers.Binary;

namespace LiveRelay.Formats.Rtp;

/// <summary>What <see cref="RtpReorderBuffer.Push(ReadOnlySpan{byte}, long)"/> did with a packet.</summary>
public enum RtpReorderResult
{
    /// <summary>Kept, to be released in order by <see cref="RtpReorderBuffer.TryPop"/>.</summary>
    Buffered,

    /// <summary>Dropped: this sequence number is already held or was already released.</summary>
    Duplicate,

    /// <summary>Dropped: its turn has passed, or it is too far from the expected sequence number.</summary>
    Late,

    /// <summary>Dropped: shorter than an RTP header, not version 2, or longer than the limit.</summary>
    Invalid,

    /// <summary>Dropped: the buffer was full and the caller had not drained it since the last overflow.</summary>
    Overflow,
}

/// <summary>
/// A reorder (jitter) buffer for one RTP stream over UDP: packets are copied into pooled buffers in a
/// fixed ring of slots keyed by extended sequence number, and released in sequence order. A missing
/// packet is waited for until the first packet held after it has waited the hold time; then it is
/// skipped and counted lost. Knows nothing of payloads, so RTSP and WebRTC receivers can share it.
/// </summary>
/// <remarks>
/// <para>
/// Call <see cref="TryPop"/> until it returns false after each <see cref="Push(ReadOnlySpan{byte}, long)"/>,
/// and on a timer so that a gap is released when no packets follow it. Times are any monotonic,
/// non-negative clock (e.g. <see cref="TimeProvider.GetTimestamp"/>), in the unit of the hold time.
/// </para>
/// <para>
/// A packet that arrives <see cref="Capacity"/> or more ahead of the next one to release forces the
/// older packets out: gaps before it are skipped at once. A jump of more than 3000 ahead or more than
/// the capacity (at least 100) behind is dropped as late, unless the next packet follows it: then the
/// sender restarted its sequence, the old packets are released and the new sequence starts (RFC 3550
/// appendix A.1). The first packet pushed sets the starting sequence number. Not thread-safe.
/// </para>
/// </remarks>
public sealed class RtpReorderBuffer : IDisposable
{
    /// <summary>The default number of slots.</summary>
    public const int DefaultCapacity = 64;

    /// <summary>The most slots a buffer can have.</summary>
    public const int MaxCapacity = 1024;

    /// <summary>The default longest packet kept: a jumbo Ethernet frame's payload.</summary>
    public const int DefaultMaxPacketLength = 9000;

    /// <summary>The longest packet any buffer keeps: the largest UDP payload over IPv4.</summary>
    public const int MaxPacketLength = 65507;

    private const int MaxDropout = 3000;
    private const int MaxMisorder = 100;
    private const long Origin = 1L << 32; // extended sequence numbers start here, so they stay positive

    private readonly Slot[] _slots;
    private readonly long _holdTicks;
    private readonly int _maxPacketLength;
    private long _next = -1;
    private long _highest;
    private int _held;
    private Slot _pending;
    private PendingKind _pendingKind;
    private int _restartCandidate = -1;
    private byte[]? _popped;
    private bool _disposed;

    /// <param name="holdTicks">How long the first packet after a gap waits for the missing one, in the unit of the times passed in.</param>
    /// <param name="capacity">Slots: packets held at most, and how far ahead of the next one to release a packet may be (1 to <see cref="MaxCapacity"/>).</param>
    /// <param name="maxPacketLength">The longest packet kept (1 to <see cref="MaxPacketLength"/>).</param>
    public RtpReorderBuffer(long holdTicks, int capacity = DefaultCapacity, int maxPacketLength = DefaultMaxPacketLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(holdTicks);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPacketLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPacketLength, MaxPacketLength);
        _holdTicks = holdTicks;
        _slots = new Slot[capacity];
        _maxPacketLength = maxPacketLength;
    }

    private enum PendingKind
    {
        None,
        Overflow,
        Restart,
    }

    public int Capacity => _slots.Length;

    /// <summary>Packets held now.</summary>
    public int Count => _held + (_pendingKind == PendingKind.None ? 0 : 1);

    /// <summary>Sequence numbers skipped because their packet did not come in time.</summary>
    public long Lost { get; private set; }

    /// <summary>Packets dropped because their sequence number was already held or released.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Packets dropped because their turn had passed or they were too far from the expected sequence number.</summary>
    public long Late { get; private set; }

    /// <summary>Packets kept that came after a packet with a higher sequence number.</summary>
    public long Reordered { get; private set; }

    /// <summary>Sequence restarts taken (a far jump followed by the next sequence number).</summary>
    public long Restarts { get; private set; }

    /// <summary>Packets dropped as <see cref="RtpReorderResult.Invalid"/> or <see cref="RtpReorderResult.Overflow"/>.</summary>
    public long Rejected { get; private set; }

    /// <summary>Keeps a copy of an RTP packet, taking the sequence number from its header.</summary>
    public RtpReorderResult Push(ReadOnlySpan<byte> packet, long nowTicks)
    {
        if (packet.Length < RtpPacket.FixedHeaderLength || packet[0] >> 6 != 2)
        {
            Rejected++;
            return RtpReorderResult.Invalid;
        }

        return Push(packet, BinaryPrimitives.ReadUInt16BigEndian(packet[2..]), nowTicks);
    }

    /// <summary>Keeps a copy of a packet whose sequence number the caller has read.</summary>
    public RtpReorderResult Push(ReadOnlySpan<byte> packet, ushort sequence, long nowTicks)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (packet.IsEmpty || packet.Length > _maxPacketLength)
        {
            Rejected++;
            return RtpReorderResult.Invalid;
        }

        if (_next < 0)
        {
            _next = Origin + sequence;
            _highest = _next - 1;
        }

        var delta = (short)(sequence - (ushort)_next);
        var extended = _next + delta;
        if (delta < 0)
        {
            if (-delta > Math.Max(_slots.Length, MaxMisorder))
            {
                return FarOff(packet, sequence, nowTicks);
            }

            ref var old = ref SlotOf(extended);
            if (old.Released && old.Sequence == extended)
            {
                Duplicates++;
                return RtpReorderResult.Duplicate;
            }

            Late++;
            return RtpReorderResult.Late;
        }

        if (delta > MaxDropout)
        {
            return FarOff(packet, sequence, nowTicks);
        }

        _restartCandidate = -1;
        if (_pendingKind == PendingKind.Overflow && _pending.Sequence == extended)
        {
            Duplicates++;
            return RtpReorderResult.Duplicate;
        }

        if (delta >= _slots.Length)
        {
            if (_pendingKind != PendingKind.None)
            {
                Rejected++;
                return RtpReorderResult.Overflow;
            }

            // No slot until older packets leave: TryPop forces them out, then moves this one in.
            Keep(ref _pending, packet, extended, nowTicks);
            _pendingKind = PendingKind.Overflow;
            CountOrder(extended);
            return RtpReorderResult.Buffered;
        }

        ref var slot = ref SlotOf(extended);
        if (slot.Buffer is not null)
        {
            Duplicates++;
            return RtpReorderResult.Duplicate;
        }

        Keep(ref slot, packet, extended, nowTicks);
        _held++;
        CountOrder(extended);
        return RtpReorderResult.Buffered;
    }

    /// <summary>
    /// Releases the next packet in sequence order, skipping a gap once the packet after it has waited
    /// the hold time (or at once when the buffer overflowed). The packet's bytes stay valid until the
    /// next call of <see cref="TryPop"/> or <see cref="Dispose"/>.
    /// </summary>
    public bool TryPop(long nowTicks, out ReadOnlySpan<byte> packet)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        packet = default;
        ReturnPopped();
        if (_next < 0)
        {
            return false;
        }

        while (true)
        {
            if (_pendingKind == PendingKind.Overflow && _pending.Sequence - _next < _slots.Length)
            {
                // The slot of a packet a capacity behind this one, already released or skipped.
                SlotOf(_pending.Sequence) = _pending;
                _pending = default;
                _pendingKind = PendingKind.None;
                _held++;
            }
            else if (_pendingKind == PendingKind.Restart && _held == 0)
            {
                Restart();
            }

            ref var slot = ref SlotOf(_next);
            if (slot.Buffer is not null && slot.Sequence == _next)
            {
                packet = slot.Buffer.AsSpan(0, slot.Length);
                _popped = slot.Buffer;
                slot.Buffer = null;
                slot.Released = true;
                _held--;
                _next++;
                return true;
            }

            if (_held == 0 && _pendingKind != PendingKind.Overflow)
            {
                return false;
            }

            if (_pendingKind != PendingKind.None)
            {
                // Forced: skip the gap at once (all of it when nothing older is held).
                var skip = _held == 0 ? _pending.Sequence - _slots.Length + 1 - _next : 1;
                Lost += skip;
                _next += skip;
                continue;
            }

            // Held packets lie within a capacity after the next sequence number: find the first.
            var waiting = 1;
            while (waiting < _slots.Length && !IsHeld(_next + waiting))
            {
                waiting++;
            }

            if (nowTicks - SlotOf(_next + waiting).Arrival < _holdTicks)
            {
                return false;
            }

            Lost += waiting;
            _next += waiting;
        }
    }

    /// <summary>Returns every held buffer to the pool.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ReturnPopped();
        for (var i = 0; i < _slots.Length; i++)
        {
            Return(ref _slots[i]);
        }

        Return(ref _pending);
    }

    /// <summary>A packet far from the expected sequence: dropped, unless it follows the previous far one (a restart).</summary>
    private RtpReorderResult FarOff(ReadOnlySpan<byte> packet, ushort sequence, long nowTicks)
    {
        if (_restartCandidate != sequence)
        {
            _restartCandidate = (ushort)(sequence + 1);
            Late++;
            return RtpReorderResult.Late;
        }

        if (_pendingKind != PendingKind.None)
        {
            Rejected++;
            return RtpReorderResult.Overflow;
        }

        // The held packets of the old sequence go first; TryPop then starts the new one with this packet.
        _restartCandidate = -1;
        Keep(ref _pending, packet, sequence, nowTicks);
        _pendingKind = PendingKind.Restart;
        Restarts++;
        return RtpReorderResult.Buffered;
    }

    /// <summary>Starts a new sequence with the pending packet, beyond every extended number used so far.</summary>
    private void Restart()
    {
        var sequence = (ushort)_pending.Sequence;
        var start = _next + _slots.Length;
        start += (ushort)(sequence - (ushort)start);
        Array.Clear(_slots);
        _pending.Sequence = start;
        SlotOf(start) = _pending;
        _pending = default;
        _pendingKind = PendingKind.None;
        _held = 1;
        _next = start;
        _highest = start;
    }

    private void CountOrder(long extended)
    {
        if (extended < _highest)
        {
            Reordered++;
        }
        else
        {
            _highest = extended;
        }
    }

    private bool IsHeld(long extended)
    {
        ref var slot = ref SlotOf(extended);
        return slot.Buffer is not null && slot.Sequence == extended;
    }

    private ref Slot SlotOf(long extended) => ref _slots[(int)(extended % _slots.Length)];

    private static void Keep(ref Slot slot, ReadOnlySpan<byte> packet, long sequence, long nowTicks)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(packet.Length);
        packet.CopyTo(buffer);
        slot = new Slot { Buffer = buffer, Length = packet.Length, Sequence = sequence, Arrival = nowTicks };
    }

    private static void Return(ref Slot slot)
    {
        if (slot.Buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(slot.Buffer);
        }

        slot = default;
    }

    private void ReturnPopped()
    {
        if (_popped is not null)
        {
            ArrayPool<byte>.Shared.Return(_popped);
            _popped = null;
        }
    }

    /// <summary>A held packet (Buffer set), the marker of a released one (Released), or empty.</summary>
    private struct Slot
    {
        public byte[]? Buffer;
        public int Length;
        public long Sequence;
        public long Arrival;
        public bool Released;
    }
}
