using System.Buffers.Binary;

namespace LiveRelay.Protocols.WebRtc.Srtp;

public sealed partial class SrtpContext
{
    private const uint MaxSrtcpIndex = 0x7FFF_FFFF;

    /// <summary>
    /// Encrypts the compound RTCP packet <c>buffer[..length]</c> after its first 8 bytes and appends the index word
    /// (E set) and the tag. The SRTCP index counts per sender SSRC from 1, as libsrtp does. False (nothing changed)
    /// when the packet is shorter than an RTCP header, <paramref name="buffer"/> has no room for
    /// <see cref="RtcpOverhead"/> more bytes, the SSRC would be one too many, or its 2^31 indices are spent (rekey).
    /// </summary>
    public bool TryProtectRtcp(Span<byte> buffer, int length, out int protectedLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        protectedLength = 0;
        if (length < SrtpTransform.RtcpHeaderLength || length > buffer.Length || buffer.Length - length < RtcpOverhead)
        {
            return false;
        }

        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        var slot = _streams.Find(ssrc);
        if (slot < 0 && (slot = _streams.Add(ssrc)) < 0)
        {
            return false;
        }

        ref var stream = ref _streams[slot];
        if (stream.RtcpSentIndex == MaxSrtcpIndex)
        {
            return false;
        }

        protectedLength = _rtcp.ProtectRtcp(buffer, length, ssrc, ++stream.RtcpSentIndex);
        return true;
    }

    //  AES-CM (RFC 3711 §3.4): | RTCP header (8) | encrypted ... | E | SRTCP index (31) | auth tag (80) |
    //  GCM (RFC 7714 §9.1):    | RTCP header (8) | encrypted ... | GCM tag (128) | E | SRTCP index (31) |

    /// <summary>
    /// Authenticates the SRTCP <paramref name="packet"/>, checks its index against the sender's replay window and
    /// decrypts it in place (when its E flag is set); on success the RTCP packet is <c>packet[..length]</c>.
    /// </summary>
    public bool TryUnprotectRtcp(Span<byte> packet, out int length, out SrtpError error)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        length = 0;
        var overhead = RtcpOverhead;
        if (packet.Length < SrtpTransform.RtcpHeaderLength + overhead)
        {
            error = SrtpError.TooShort;
            return false;
        }

        var rtcpLength = packet.Length - overhead;
        var indexWord = BinaryPrimitives.ReadUInt32BigEndian(_rtcp.IndexWordAfterTag ? packet[^SrtpTransform.SrtcpIndexLength..] : packet[rtcpLength..]);
        var index = indexWord & MaxSrtcpIndex;
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        var slot = _streams.Find(ssrc);
        if (slot >= 0)
        {
            error = _streams[slot].Rtcp.Check(index);
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

        if (!_rtcp.UnprotectRtcp(packet, rtcpLength, ssrc, indexWord))
        {
            error = SrtpError.AuthenticationFailed;
            return false;
        }

        if (slot < 0)
        {
            slot = _streams.Add(ssrc);
        }

        _streams[slot].Rtcp.Accept(index);
        length = rtcpLength;
        error = SrtpError.None;
        return true;
    }
}
