using System.Buffers.Binary;
using LiveRelay.Codecs.H264;

namespace LiveRelay.Formats.Rtp;

/// <summary>
/// H.264 to RTP (RFC 6184), packetization mode 1: one access unit (4-byte big-endian length-prefixed NAL units, the
/// core's form) becomes single NAL unit packets, STAP-A aggregates of consecutive small units, and FU-A fragments of
/// units larger than the payload limit, in decoding order, the marker on the last packet.
/// <list type="bullet">
/// <item>A keyframe gets the SPS and PPS passed in first, as one STAP-A of their own; parameter sets inside the
/// access unit are sent as they are.</item>
/// <item>Access unit delimiters and filler data are left out: over RTP the marker bit ends the access unit.</item>
/// <item>FU-A fragments of one unit are of even size (they differ by one byte at most).</item>
/// </list>
/// Allocates nothing per call once its aggregation buffer has the size of the largest payload limit used.
/// Not thread-safe: one instance per outgoing video track.
/// </summary>
public sealed class H264RtpPacketizer
{
    /// <summary>A 1,200-byte RTP packet less its 12-byte header: fits the path MTU with SRTP, UDP, IP and TURN overheads.</summary>
    public const int DefaultMaxPayload = 1200 - RtpPacket.FixedHeaderLength;

    /// <summary>An FU-A needs its two header bytes and one byte of the unit.</summary>
    public const int MinMaxPayload = 3;

    /// <summary>The largest UDP payload (65,507) less the RTP header; keeps STAP-A sizes within 16 bits.</summary>
    public const int MaxMaxPayload = 65_507 - RtpPacket.FixedHeaderLength;

    private const int LengthPrefix = 4;
    private const int StapA = 24;
    private const int FuA = 28;
    private const int FillerData = 12;

    //  STAP-A: [F|NRI|24] then repeated { NALU size (16) | NALU }
    private byte[] _aggregate = new byte[DefaultMaxPayload];
    private int _aggregateLength;
    private int _aggregateCount;
    private int _packets;

    /// <summary>Sends one access unit to <paramref name="sink"/>.</summary>
    /// <param name="accessUnit">NAL units, each after a 4-byte big-endian length.</param>
    /// <param name="sps">The SPS NAL unit (no prefix), sent first on a keyframe; empty for none.</param>
    /// <param name="pps">The PPS NAL unit (no prefix), sent after the SPS; empty for none.</param>
    /// <param name="keyframe">Whether to send the parameter sets first (both must be non-empty).</param>
    /// <param name="maxPayload">The largest RTP payload, <see cref="DefaultMaxPayload"/> usually.</param>
    /// <param name="sink">Receives the payloads.</param>
    /// <returns>The number of payloads sent, or −1, having sent nothing, when a length prefix is cut short or runs past the end.</returns>
    public int Packetize(ReadOnlySpan<byte> accessUnit, ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps, bool keyframe, int maxPayload, IRtpPayloadSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayload, MinMaxPayload);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPayload, MaxMaxPayload);
        if (!TryFindLastSent(accessUnit, out var lastStart))
        {
            return -1;
        }

        if (_aggregate.Length < maxPayload)
        {
            _aggregate = new byte[maxPayload];
        }

        _packets = 0;
        _aggregateCount = 0;
        if (keyframe && !sps.IsEmpty && !pps.IsEmpty)
        {
            Add(sps, last: false, maxPayload, sink);
            Add(pps, last: lastStart < 0, maxPayload, sink);
            Flush(marker: lastStart < 0, sink);
        }

        var offset = 0;
        while (offset < accessUnit.Length)
        {
            var start = offset + LengthPrefix;
            offset = start + (int)BinaryPrimitives.ReadUInt32BigEndian(accessUnit[(start - LengthPrefix)..]);
            var nal = accessUnit[start..offset];
            if (IsSent(nal))
            {
                Add(nal, last: start == lastStart, maxPayload, sink);
            }
        }

        return _packets;
    }

    /// <summary>Checks every length prefix and finds where the last unit to send starts (−1: none).</summary>
    private static bool TryFindLastSent(ReadOnlySpan<byte> accessUnit, out int lastStart)
    {
        lastStart = -1;
        var offset = 0;
        while (offset < accessUnit.Length)
        {
            if (accessUnit.Length - offset < LengthPrefix)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(accessUnit[offset..]);
            var start = offset + LengthPrefix;
            if (length > (uint)(accessUnit.Length - start))
            {
                return false;
            }

            offset = start + (int)length;
            if (IsSent(accessUnit[start..offset]))
            {
                lastStart = start;
            }
        }

        return true;
    }

    private static bool IsSent(ReadOnlySpan<byte> nal) =>
        !nal.IsEmpty && H264Nal.GetNalType(nal[0]) is not (H264NalType.Aud or FillerData);

    private void Add(ReadOnlySpan<byte> nal, bool last, int maxPayload, IRtpPayloadSink sink)
    {
        if (1 + 2 + nal.Length <= maxPayload)
        {
            // Small enough to share a STAP-A: collect it, and send what was collected when it would not fit.
            if (_aggregateCount > 0 && _aggregateLength + 2 + nal.Length > maxPayload)
            {
                Flush(marker: false, sink);
            }

            if (_aggregateCount == 0)
            {
                _aggregate[0] = StapA;
                _aggregateLength = 1;
            }

            // F is the OR of the units' F bits, NRI their largest NRI (RFC 6184 §5.7).
            _aggregate[0] = (byte)(StapA | ((_aggregate[0] | nal[0]) & 0x80) | Math.Max(_aggregate[0] & 0x60, nal[0] & 0x60));
            BinaryPrimitives.WriteUInt16BigEndian(_aggregate.AsSpan(_aggregateLength), (ushort)nal.Length);
            nal.CopyTo(_aggregate.AsSpan(_aggregateLength + 2));
            _aggregateLength += 2 + nal.Length;
            _aggregateCount++;
            if (last)
            {
                Flush(marker: true, sink);
            }

            return;
        }

        Flush(marker: false, sink);
        if (nal.Length <= maxPayload)
        {
            Emit(nal[..1], nal[1..], last, sink);
        }
        else
        {
            Fragment(nal, last, maxPayload, sink);
        }
    }

    /// <summary>Sends what was collected: a single NAL unit packet for one unit, a STAP-A for more.</summary>
    private void Flush(bool marker, IRtpPayloadSink sink)
    {
        if (_aggregateCount == 1)
        {
            var nal = _aggregate.AsSpan(3, _aggregateLength - 3);
            Emit(nal[..1], nal[1..], marker, sink);
        }
        else if (_aggregateCount > 1)
        {
            Emit(_aggregate.AsSpan(0, 1), _aggregate.AsSpan(1, _aggregateLength - 1), marker, sink);
        }

        _aggregateCount = 0;
    }

    //  FU-A: [indicator: F|NRI|28] [header: S|E|R|type] fragment of the unit after its header byte
    private void Fragment(ReadOnlySpan<byte> nal, bool last, int maxPayload, IRtpPayloadSink sink)
    {
        var body = nal[1..];
        var fragments = (body.Length + maxPayload - 3) / (maxPayload - 2);
        var size = body.Length / fragments;
        var larger = body.Length % fragments;
        Span<byte> header = stackalloc byte[2];
        header[0] = (byte)((nal[0] & 0xE0) | FuA);
        var offset = 0;
        for (var i = 0; i < fragments; i++)
        {
            var length = size + (i < larger ? 1 : 0);
            var final = i == fragments - 1;
            header[1] = (byte)((i == 0 ? 0x80 : 0) | (final ? 0x40 : 0) | (nal[0] & 0x1F));
            Emit(header, body.Slice(offset, length), last && final, sink);
            offset += length;
        }
    }

    private void Emit(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, bool marker, IRtpPayloadSink sink)
    {
        sink.OnPayload(header, body, marker);
        _packets++;
    }
}
