using System.Buffers.Binary;
using System.Text;

namespace LiveRelay.Formats.Rtp;

/// <summary>An RTCP BYE (RFC 3550 §6.6): the sources leaving, and an optional reason.</summary>
public readonly ref struct RtcpBye
{
    private readonly ReadOnlySpan<byte> _sources;

    private RtcpBye(ReadOnlySpan<byte> sources, ReadOnlySpan<byte> reason)
    {
        _sources = sources;
        Reason = reason;
    }

    /// <summary>How many SSRC/CSRC identifiers leave.</summary>
    public int Count => _sources.Length / 4;

    /// <summary>The UTF-8 reason for leaving; empty when none was given.</summary>
    public ReadOnlySpan<byte> Reason { get; }

    /// <summary>The reason as text.</summary>
    public string ReasonText => Encoding.UTF8.GetString(Reason);

    /// <summary>The SSRC or CSRC at <paramref name="index"/>.</summary>
    public uint this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return BinaryPrimitives.ReadUInt32BigEndian(_sources[(index * 4)..]);
        }
    }

    //   0                   1                   2                   3
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |V=2|P|    SC   |   PT=BYE=203  |             length            |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                        SSRC/CSRC × SC                         |
    //  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  |    [length]   |             [reason for leaving] ...          |
    /// <summary>False (with the reason) when the packet is not a BYE or its identifiers or reason run past its body.</summary>
    public static bool TryRead(RtcpPacket packet, out RtcpBye bye, out string? error)
    {
        bye = default;
        if (packet.PacketType != RtcpPacketType.Goodbye)
        {
            error = $"RTCP packet type {packet.PacketType}, not BYE (203)";
            return false;
        }

        var body = packet.Body;
        var sources = packet.Count * 4;
        if (body.Length < sources)
        {
            error = $"a BYE body of {body.Length} bytes is too short for {packet.Count} sources";
            return false;
        }

        var reason = ReadOnlySpan<byte>.Empty;
        if (body.Length > sources && body[sources] > 0)
        {
            var length = body[sources];
            if (length > body.Length - sources - 1)
            {
                error = $"a BYE reason of {length} bytes runs past the packet";
                return false;
            }

            reason = body.Slice(sources + 1, length);
        }

        bye = new RtcpBye(body[..sources], reason);
        error = null;
        return true;
    }
}
