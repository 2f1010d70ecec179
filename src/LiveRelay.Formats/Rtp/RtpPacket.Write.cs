using System.Buffers.Binary;

namespace LiveRelay.Formats.Rtp;

public static partial class RtpPacket
{
    /// <summary>
    /// Writes the 12-byte fixed RTP header (V=2, no padding, extension or CSRCs; layout above <see cref="TryRead"/>)
    /// and returns its length, <see cref="FixedHeaderLength"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 12 bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The payload type is over 127.</exception>
    public static int Write(Span<byte> destination, in RtpHeader header)
    {
        if (destination.Length < FixedHeaderLength)
        {
            throw new ArgumentException($"An RTP header needs {FixedHeaderLength} bytes, not {destination.Length}.", nameof(destination));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(header.PayloadType, (byte)0x7F, nameof(header));
        destination[0] = 0x80;
        destination[1] = (byte)((header.Marker ? 0x80 : 0) | header.PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], header.SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], header.Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], header.Ssrc);
        return FixedHeaderLength;
    }
}
