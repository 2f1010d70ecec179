using System.Buffers.Binary;

namespace LiveRelay.Formats.Rtp;

/// <summary>RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1).</summary>
public static class RtcpPacketType
{
    /// <summary>SR: sender report.</summary>
    public const byte SenderReport = 200;

    /// <summary>RR: receiver report.</summary>
    public const byte ReceiverReport = 201;

    /// <summary>SDES: source description.</summary>
    public const byte SourceDescription = 202;

    /// <summary>BYE: goodbye.</summary>
    public const byte Goodbye = 203;

    /// <summary>APP: application-defined.</summary>
    public const byte Application = 204;

    /// <summary>RTPFB: transport-layer feedback (NACK, transport-cc).</summary>
    public const byte TransportFeedback = 205;

    /// <summary>PSFB: payload-specific feedback (PLI, FIR, REMB).</summary>
    public const byte PayloadFeedback = 206;
}

/// <summary>One RTCP packet of a compound packet: its type, count field and body, padding removed.</summary>
public readonly ref struct RtcpPacket
{
    /// <summary>The common header's length.</summary>
    public const int HeaderLength = 4;

    public RtcpPacket(byte packetType, int count, ReadOnlySpan<byte> body)
    {
        PacketType = packetType;
        Count = count;
        Body = body;
    }

    /// <summary>The packet type (see <see cref="RtcpPacketType"/>).</summary>
    public byte PacketType { get; }

    /// <summary>The 5-bit count field: report blocks (SR, RR), chunks (SDES), sources (BYE), or the feedback message type.</summary>
    public int Count { get; }

    /// <summary>The bytes after the 4-byte header, without padding.</summary>
    public ReadOnlySpan<byte> Body { get; }

    //   0                   1                   2                   3
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |V=2|P|  count  |      PT       |    length (32-bit words − 1)  |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                  body ... | [P] padding ... | pad count       |
    /// <summary>
    /// Reads the first packet of <paramref name="data"/>. False (with the reason), never throws, when
    /// the header is cut off, the version is not 2, the length runs past the buffer or the padding
    /// count does not fit.
    /// </summary>
    /// <param name="data">The compound packet, or what is left of it.</param>
    /// <param name="packet">The packet read.</param>
    /// <param name="length">Bytes the packet takes, padding included: where the next packet starts.</param>
    /// <param name="error">Why the packet was refused, or null.</param>
    public static bool TryRead(ReadOnlySpan<byte> data, out RtcpPacket packet, out int length, out string? error)
    {
        packet = default;
        length = 0;
        if (data.Length < HeaderLength)
        {
            error = $"{data.Length} bytes is shorter than an RTCP header";
            return false;
        }

        if (data[0] >> 6 != 2)
        {
            error = $"RTCP version {data[0] >> 6}, not 2";
            return false;
        }

        var size = (BinaryPrimitives.ReadUInt16BigEndian(data[2..]) + 1) * 4;
        if (size > data.Length)
        {
            error = $"an RTCP length of {size} bytes is larger than the {data.Length} bytes left";
            return false;
        }

        var body = data[HeaderLength..size];
        if ((data[0] & 0x20) != 0)
        {
            var padding = body.IsEmpty ? 0 : body[^1];
            if (padding == 0 || padding > body.Length)
            {
                error = $"an RTCP padding count of {padding} does not fit the {body.Length}-byte body";
                return false;
            }

            body = body[..^padding];
        }

        packet = new RtcpPacket(data[1], data[0] & 0x1F, body);
        length = size;
        error = null;
        return true;
    }
}

/// <summary>
/// Iterates the packets of a compound RTCP packet (RFC 3550 §6.1). Packet types it does not know
/// come out like the others; the caller skips them.
/// </summary>
public ref struct RtcpCompoundReader
{
    private ReadOnlySpan<byte> _rest;

    public RtcpCompoundReader(ReadOnlySpan<byte> compound)
    {
        _rest = compound;
    }

    /// <summary>Why reading stopped before the end, or null.</summary>
    public string? Error { get; private set; }

    /// <summary>False at the end of the compound packet, or (with <see cref="Error"/> set) at a malformed packet, after which it stays false.</summary>
    public bool TryReadNext(out RtcpPacket packet)
    {
        packet = default;
        if (_rest.IsEmpty || Error is not null)
        {
            return false;
        }

        if (!RtcpPacket.TryRead(_rest, out packet, out var length, out var error))
        {
            Error = error;
            _rest = default;
            return false;
        }

        _rest = _rest[length..];
        return true;
    }
}
