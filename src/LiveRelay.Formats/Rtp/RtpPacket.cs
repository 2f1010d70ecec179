using System.Buffers.Binary;

namespace LiveRelay.Formats.Rtp;

/// <summary>The fixed RTP header fields a receiver uses (RFC 3550 §5.1).</summary>
public readonly record struct RtpHeader(bool Marker, byte PayloadType, ushort SequenceNumber, uint Timestamp, uint Ssrc);

/// <summary>Reads RTP packets: the header, then the payload without CSRCs, extension and padding.</summary>
public static partial class RtpPacket
{
    public const int FixedHeaderLength = 12;

    //   0                   1                   2                   3
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |V=2|P|X|  CC   |M|     PT      |       sequence number         |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                           timestamp                           |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |                             SSRC                              |
    //  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  |                       CSRC list (CC × 32 bits)                |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  | [X] profile-defined (16) |   extension length in words (16)   |
    //  |                        extension words                        |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |   payload ...                 | [P] padding ... | pad count   |

    /// <summary>False (with the reason) when the bytes are not a well-formed RTP version 2 packet.</summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out RtpHeader header, out ReadOnlySpan<byte> payload, out string? error)
    {
        header = default;
        payload = default;
        if (packet.Length < FixedHeaderLength)
        {
            error = $"{packet.Length} bytes is shorter than an RTP header";
            return false;
        }

        if (packet[0] >> 6 != 2)
        {
            error = $"RTP version {packet[0] >> 6}, not 2";
            return false;
        }

        var start = FixedHeaderLength + ((packet[0] & 0x0F) * 4);
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < start + 4)
            {
                error = "the header extension is cut off";
                return false;
            }

            start += 4 + (BinaryPrimitives.ReadUInt16BigEndian(packet[(start + 2)..]) * 4);
        }

        var end = packet.Length;
        if ((packet[0] & 0x20) != 0)
        {
            end -= packet[^1];
        }

        if (start > end || end > packet.Length)
        {
            error = "the CSRC list, extension or padding is longer than the packet";
            return false;
        }

        header = new RtpHeader(
            (packet[1] & 0x80) != 0,
            (byte)(packet[1] & 0x7F),
            BinaryPrimitives.ReadUInt16BigEndian(packet[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[8..]));
        payload = packet[start..end];
        error = null;
        return true;
    }
}
