using System.Buffers.Binary;
using LiveRelay.Formats.Rtp;
using Xunit.Abstractions;

namespace LiveRelay.Formats.Tests.Fuzzing;

/// <summary>
/// The RTP reorder buffer under mutated packets and under scripted random sequence numbers (small steps, reordering,
/// duplicates, far jumps, restarts, wrap-around). Besides "no exception", the documented behaviour is checked: every
/// packet reported <see cref="RtpReorderResult.Buffered"/> is released by <see cref="RtpReorderBuffer.TryPop"/> once
/// time has moved past the hold, in sequence order (a restart starts a new order), and no more than capacity + 1
/// packets are held.
/// </summary>
public sealed class RtpReorderBufferFuzzTests(ITestOutputHelper output)
{
    /// <summary>Far enough in the future that every gap has waited its hold time.</summary>
    private const long Later = 1L << 40;

    // Push and TryPop document no exception besides ObjectDisposedException (not reachable here). Each push rents
    // one pooled buffer of at most the packet's size; the slots are a fixed array of the capacity.
    internal static FuzzTarget PacketTarget => new()
    {
        Name = "RtpReorderBuffer (mutated packets)",
        Index = 16,
        Seeds = [Packets(8, 3, 1, 2, 3, 4, 5), Packets(4, 5, 10, 12, 11, 11, 13, 9, 15, 14), Packets(64, 0, 65534, 65535, 0, 2, 1), Packets(2, 9, 5, 6, 9000, 9001, 9002, 7)],
        Iterations = 20_000,
        Parse = ParsePackets,
        Corpus = Corpus.RtpReorderBuffer,
    };

    /// <summary>
    /// Each input is a script: capacity, hold, then 3-byte steps (operation, 16-bit argument) that give the next
    /// sequence number and arrival time; any byte string is a valid script, so random buffers are random sequences.
    /// </summary>
    internal static FuzzTarget ScriptTarget => new()
    {
        Name = "RtpReorderBuffer (scripted sequence numbers)",
        Index = 17,
        Seeds = [Script(8, 3, 60), Script(1, 0, 40), Script(64, 10, 300), Script(100, 5, 500)],
        Iterations = 8_000,
        Parse = ParseScript,
        MaxLength = 3 * 1024,
        Corpus = Corpus.RtpReorderBuffer,
    };

    [Fact]
    public void Push_MutatedPackets_ReleasesEveryBufferedPacketInOrder() => Fuzz.Run(PacketTarget, output);

    [Fact]
    public void Push_RandomSequenceNumbers_ReleasesEveryBufferedPacketInOrder() => Fuzz.Run(ScriptTarget, output);

    private static bool ParsePackets(byte[] input)
    {
        if (input.Length < 2)
        {
            return false;
        }

        using var checker = new Checker(capacity: 1 + input[0] % 128, hold: input[1] % 16);
        var now = 0L;
        foreach (var packet in Fuzz.Unframe(input[2..]))
        {
            checker.Push(packet.Span, sequence: null, now);
            now += 2;
        }

        return checker.Finish(now);
    }

    private static bool ParseScript(byte[] input)
    {
        if (input.Length < 2)
        {
            return false;
        }

        using var checker = new Checker(capacity: 1 + input[0] % 128, hold: input[1] % 16);
        var sequence = (ushort)(input.Length * 7919);
        var now = 0L;
        var packet = new byte[16];
        for (var i = 2; i + 3 <= input.Length; i += 3)
        {
            var operation = input[i];
            var argument = BinaryPrimitives.ReadUInt16BigEndian(input.AsSpan(i + 1));
            sequence = (operation & 0x0F) switch
            {
                < 8 => (ushort)(sequence + 1),
                8 or 9 => (ushort)(sequence + 1 + argument % 64),  // a gap
                10 or 11 => (ushort)(sequence - argument % 200),   // reordered, late or a duplicate
                12 => sequence,                                    // a duplicate
                13 => (ushort)(sequence + argument),               // anywhere, e.g. a far jump
                14 => (ushort)(sequence + 3000 + argument % 100),  // just past the dropout limit
                _ => (ushort)(sequence - 101 - argument % 1000),   // just past the misorder limit
            };
            now += operation >> 5;                                 // 0 to 7 ticks between arrivals
            packet[0] = 0x80;
            packet[1] = 96;
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(12), argument);
            checker.Push(packet.AsSpan(0, 12 + argument % 5), (operation & 0x10) != 0 ? sequence : null, now);
        }

        return checker.Finish(now);
    }

    /// <summary>A capacity and hold byte, then the framed packets.</summary>
    private static byte[] Packets(byte capacity, byte hold, params ushort[] sequences) =>
    [
        (byte)(capacity - 1), hold,
        .. Fuzz.Frame(sequences.Select(s => (byte[])[0x80, 0x60, (byte)(s >> 8), (byte)s, 0, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF, (byte)(s >> 8), (byte)s])),
    ];

    private static byte[] Script(byte capacity, byte hold, int steps)
    {
        var random = new Random(Fuzz.BaseSeed + capacity);
        var script = new byte[2 + 3 * steps];
        random.NextBytes(script);
        script[0] = (byte)(capacity - 1);
        script[1] = hold;
        return script;
    }

    /// <summary>Pushes, drains after every push, and checks what comes out.</summary>
    private sealed class Checker(int capacity, int hold) : IDisposable
    {
        private readonly RtpReorderBuffer _buffer = new(hold, capacity, maxPacketLength: 1500);
        private int _buffered;
        private int _released;
        private int? _previous;
        private long _restartsUsed;

        /// <summary>Pushes with the header's sequence number, or with <paramref name="sequence"/> through the other overload.</summary>
        public void Push(ReadOnlySpan<byte> packet, ushort? sequence, long now)
        {
            var result = sequence is { } s ? _buffer.Push(packet, s, now) : _buffer.Push(packet, now);
            if (result == RtpReorderResult.Buffered)
            {
                _buffered++;
            }

            if (_buffer.Count > _buffer.Capacity + 1)
            {
                throw Fuzz.PropertyBroken($"{_buffer.Count} packets held with a capacity of {_buffer.Capacity}");
            }

            Drain(now);
        }

        /// <summary>Drains once every hold has passed: everything buffered must have come out.</summary>
        public bool Finish(long now)
        {
            Drain(now + Later);
            if (_buffer.Count != 0 || _released != _buffered)
            {
                throw Fuzz.PropertyBroken($"{_buffered} packets buffered but {_released} released, {_buffer.Count} still held, long after the hold time");
            }

            return _buffered > 0;
        }

        public void Dispose() => _buffer.Dispose();

        private void Drain(long now)
        {
            while (_buffer.TryPop(now, out var packet))
            {
                if (++_released > _buffered)
                {
                    throw Fuzz.PropertyBroken($"{_released} packets released but only {_buffered} buffered");
                }

                if (packet.Length < 4)
                {
                    throw Fuzz.PropertyBroken($"a released packet of {packet.Length} bytes");
                }

                // The sequence number is in the header for both overloads here; each restart taken may begin a new order once.
                var sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
                if (_previous is { } previous && (short)(sequence - previous) <= 0)
                {
                    if (_buffer.Restarts <= _restartsUsed)
                    {
                        throw Fuzz.PropertyBroken($"sequence {sequence} released after {previous} without a restart");
                    }

                    _restartsUsed++;
                }

                _previous = sequence;
            }
        }
    }
}
