using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using LiveRelay.Protocols.WebRtc.Srtp;

namespace LiveRelay.Benchmarks;

/// <summary>
/// SRTP per packet: protecting what WHEP players get and unprotecting what WHIP publishers send, for a full video
/// packet (1,200 bytes) and an Opus one (160 bytes). Unprotect needs a packet it has not seen (the replay window
/// refuses a repeat), so each iteration unprotects a ring of <see cref="Packets"/> packets protected in its setup.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(Packets)]
public class SrtpBenchmarks
{
    private const int Packets = 8192;
    private const int Stride = 1200 + 16;

    private readonly byte[] _buffer = new byte[Stride];
    private readonly byte[] _ring = new byte[Packets * Stride];
    private readonly int[] _ringLengths = new int[Packets];
    private SrtpContext _sender = null!;
    private SrtpContext _receiver = null!;
    private SrtpContext _ringSender = null!;
    private SrtpContext _unused = null!;
    private ushort _sequence;
    private ushort _ringSequence;
    private int _next;

    [Params(SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm)]
    public SrtpProfile Profile { get; set; }

    /// <summary>The RTP packet, header included.</summary>
    [Params(160, 1200)]
    public int PacketLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var material = Enumerable.Range(0, DtlsSrtpKeys.KeyingMaterialLength(Profile)).Select(i => (byte)(i * 7)).ToArray();
        // We are the server: _sender protects with the server's keys, _receiver reads what the client (_ringSender) protects.
        (_sender, _receiver) = DtlsSrtpKeys.FromKeyingMaterial(Profile, material, isServer: true);
        (_ringSender, _unused) = DtlsSrtpKeys.FromKeyingMaterial(Profile, material, isServer: false);
        WriteRtp(_buffer, 0);
    }

    [IterationSetup(Target = nameof(UnprotectRtp))]
    public void ProtectRing()
    {
        for (var i = 0; i < Packets; i++)
        {
            var slot = _ring.AsSpan(i * Stride, Stride);
            WriteRtp(slot, _ringSequence++);
            if (!_ringSender.TryProtectRtp(slot, PacketLength, out _ringLengths[i]))
            {
                throw new InvalidOperationException("protect failed");
            }
        }

        _next = 0;
    }

    [Benchmark]
    public int ProtectRtp()
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), _sequence++);
        return _sender.TryProtectRtp(_buffer, PacketLength, out var length) ? length : throw new InvalidOperationException("protect failed");
    }

    [Benchmark]
    public int UnprotectRtp()
    {
        var i = _next++;
        return _receiver.TryUnprotectRtp(_ring.AsSpan(i * Stride, _ringLengths[i]), out var length, out var error)
            ? length
            : throw new InvalidOperationException(error.ToString());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _ringSender.Dispose();
        _receiver.Dispose();
        _unused.Dispose();
    }

    private void WriteRtp(Span<byte> packet, ushort sequence)
    {
        packet[0] = 0x80;
        packet[1] = 111;
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], sequence * 960u);
        BinaryPrimitives.WriteUInt32BigEndian(packet[8..], 0x5EED_0001);
        for (var i = 12; i < PacketLength; i++)
        {
            packet[i] = (byte)i;
        }
    }
}
