using System.Buffers.Binary;

namespace LiveRelay.Protocols.WebRtc.Srtp;

public sealed partial class SrtpContext
{
    private const int RtpFixedHeaderLength = 12;

    /// <summary>
    /// Encrypts the payload of the RTP packet <c>buffer[..length]</c> and appends the tag.
    /// False (nothing changed) when the header is malformed, <paramref name="buffer"/> has no room for
    /// <see cref="RtpOverhead"/> more bytes, or the SSRC would be one too many.
    /// </summary>
    public bool TryProtectRtp(Span<byte> buffer, int length, out int protectedLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        protectedLength = 0;
        if ((uint)length > (uint)buffer.Length || buffer.Length - length < _rtp.TagLength
            || !TryReadRtpHeader(buffer[..length], out var headerLength, out var ssrc, out var sequence))
        {
            return false;
        }

        var slot = _streams.Find(ssrc);
        if (slot < 0 && (slot = _streams.Add(ssrc)) < 0)
        {
            return false;
        }

        ref var stream = ref _streams[slot];
        var estimate = stream.Rtp.EstimateRtpIndex(sequence);

        // A sequence number from before the first one sent keeps ROC 0.
        var index = estimate < 0 ? sequence : (ulong)estimate;
        _rtp.ProtectRtp(buffer, headerLength, length, ssrc, index);
        stream.Rtp.Accept(index);
        protectedLength = length + _rtp.TagLength;
        return true;
    }

    /// <summary>
    /// Authenticates and decrypts the SRTP <paramref name="packet"/> in place; on success the RTP packet is
    /// <c>packet[..length]</c>. On failure nothing is recorded and the reason is in <paramref name="error"/>.
    /// </summary>
    public bool TryUnprotectRtp(Span<byte> packet, out int length, out SrtpError error)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        length = 0;
        var tag = _rtp.TagLength;
        if (packet.Length < RtpFixedHeaderLength + tag
            || !TryReadRtpHeader(packet[..^tag], out var headerLength, out var ssrc, out var sequence))
        {
            error = SrtpError.TooShort;
            return false;
        }

        var slot = _streams.Find(ssrc);
        ulong index = sequence;
        if (slot >= 0)
        {
            var estimate = _streams[slot].Rtp.EstimateRtpIndex(sequence);
            if (estimate < 0)
            {
                error = SrtpError.TooOld;
                return false;
            }

            index = (ulong)estimate;
            error = _streams[slot].Rtp.Check(index);
            if (error != SrtpError.None)
            {
                return false;
            }
        }
        else if (_streams.IsFull)
        {
            error = SrtpError.TooManyStreams;
            return false;
        }

        if (!_rtp.UnprotectRtp(packet, headerLength, ssrc, index))
        {
            error = SrtpError.AuthenticationFailed;
            return false;
        }

        if (slot < 0)
        {
            slot = _streams.Add(ssrc);
        }

        _streams[slot].Rtp.Accept(index);
        length = packet.Length - tag;
        error = SrtpError.None;
        return true;
    }

    //   0                   1                   2                   3
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |V=2|P|X|  CC   |M|     PT      |       sequence number         |
    //  |                           timestamp                           |
    //  |                             SSRC                              |
    //  |                       CSRC list (CC × 32 bits)                |
    //  | [X] profile-defined (16) |   extension length in words (16)   |
    //  |                        extension words                        |
    //  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    //  |            payload (encrypted) ... padding (encrypted)        |
    //
    //  The header, CSRCs and extension included, stays in the clear; only the payload is encrypted (RFC 3711 §3.1).
    private static bool TryReadRtpHeader(ReadOnlySpan<byte> packet, out int headerLength, out uint ssrc, out ushort sequence)
    {
        headerLength = 0;
        ssrc = 0;
        sequence = 0;
        if (packet.Length < RtpFixedHeaderLength)
        {
            return false;
        }

        var length = RtpFixedHeaderLength + ((packet[0] & 0x0F) * 4);
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < length + 4)
            {
                return false;
            }

            length += 4 + (BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]) * 4);
        }

        if (length > packet.Length)
        {
            return false;
        }

        headerLength = length;
        sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        return true;
    }
}
