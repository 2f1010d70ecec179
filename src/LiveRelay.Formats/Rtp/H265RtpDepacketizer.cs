using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace LiveRelay.Formats.Rtp;

/// <summary>
/// H.265 over RTP (RFC 7798): single NAL unit packets, aggregation packets (AP) and fragmentation
/// units (FU); PACI packets are ignored and counted. Writes each complete NAL unit with a 4-byte
/// big-endian length prefix (the core's H.265 form). A lost packet inside a fragmented unit drops
/// that unit, not the stream. Fragments are collected in a buffer that grows up to
/// <see cref="MaxNalLength"/> and is reused.
/// </summary>
/// <remarks>
/// When the SDP gives <c>sprop-max-don-diff</c> &gt; 0 the packets carry decoding order numbers
/// (DONL/DOND). They are skipped, not used to reorder: units are written in transmission order.
/// </remarks>
public sealed class H265RtpDepacketizer
{
    /// <summary>The largest NAL unit reassembled from fragments.</summary>
    public const int MaxNalLength = 4 * 1024 * 1024;

    private const int PayloadHeaderLength = 2;
    private const int DonlLength = 2;
    private const int DondLength = 1;
    private const int AggregationPacket = 48;
    private const int FragmentationUnit = 49;
    private const int Paci = 50;

    private byte[] _fragment = new byte[64 * 1024];
    private int _fragmentLength = -1;
    private bool _skippingFragments;
    private ushort _expectedSequence;

    /// <param name="decodingOrderNumbers">
    /// True when the packets carry DONL/DOND fields (<c>sprop-max-don-diff</c> &gt; 0, see
    /// <see cref="UsesDecodingOrderNumbers"/>).
    /// </param>
    public H265RtpDepacketizer(bool decodingOrderNumbers = false)
    {
        DecodingOrderNumbers = decodingOrderNumbers;
    }

    /// <summary>Whether the packets carry DONL/DOND fields, which are skipped.</summary>
    public bool DecodingOrderNumbers { get; }

    /// <summary>NAL units dropped because a fragment was lost or broke a limit, once per unit.</summary>
    public long DroppedNals { get; private set; }

    /// <summary>PACI packets (type 50) seen and ignored.</summary>
    public long IgnoredPaciPackets { get; private set; }

    /// <summary>True when the <c>a=fmtp</c> parameters say the packets carry decoding order numbers (<c>sprop-max-don-diff</c> &gt; 0).</summary>
    public static bool UsesDecodingOrderNumbers(IReadOnlyDictionary<string, string> format)
    {
        ArgumentNullException.ThrowIfNull(format);
        return format.TryGetValue("sprop-max-don-diff", out var value)
            && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var diff)
            && diff > 0;
    }

    //   0                   1
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |F|   Type    |  LayerId  | TID |   payload header: the NAL unit header's layout;
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+   Type 0-47 a NAL unit, 48 AP, 49 FU, 50 PACI
    public RtpDepacketizeResult Push(ReadOnlySpan<byte> payload, ushort sequence, IBufferWriter<byte> nals)
    {
        ArgumentNullException.ThrowIfNull(nals);
        if (payload.Length < PayloadHeaderLength)
        {
            AbandonFragment();
            return RtpDepacketizeResult.Dropped;
        }

        var type = (payload[0] >> 1) & 0x3F;
        if (type == FragmentationUnit)
        {
            return ReadFragment(payload, sequence, nals);
        }

        AbandonFragment();
        _skippingFragments = false;
        switch (type)
        {
            case < AggregationPacket:
                return ReadSingle(payload, nals);
            case AggregationPacket:
                return ReadAggregate(payload[PayloadHeaderLength..], nals);
            case Paci:
                IgnoredPaciPackets++;
                return RtpDepacketizeResult.Dropped;
            default:
                return RtpDepacketizeResult.Dropped;
        }
    }

    //  single NAL unit packet: [payload header = NAL header (16)] [DONL (16)]? NAL unit payload data...
    private RtpDepacketizeResult ReadSingle(ReadOnlySpan<byte> payload, IBufferWriter<byte> nals)
    {
        if (!DecodingOrderNumbers)
        {
            WriteNal(nals, payload, default);
            return RtpDepacketizeResult.Nals;
        }

        if (payload.Length < PayloadHeaderLength + DonlLength)
        {
            return RtpDepacketizeResult.Dropped;
        }

        WriteNal(nals, payload[..PayloadHeaderLength], payload[(PayloadHeaderLength + DonlLength)..]);
        return RtpDepacketizeResult.Nals;
    }

    //  AP: [payload header, Type 48]
    //      first unit:      [DONL (16)]? | NALU size (16) | NALU (header + payload)
    //      following units: [DOND (8)]?  | NALU size (16) | NALU
    private RtpDepacketizeResult ReadAggregate(ReadOnlySpan<byte> units, IBufferWriter<byte> nals)
    {
        // Validate every length first so that a broken aggregate writes nothing.
        var rest = units;
        var count = 0;
        while (!rest.IsEmpty)
        {
            var skip = DecodingOrderNumbers ? (count == 0 ? DonlLength : DondLength) : 0;
            if (rest.Length < skip + 2)
            {
                return RtpDepacketizeResult.Dropped;
            }

            var size = BinaryPrimitives.ReadUInt16BigEndian(rest[skip..]);
            if (size < PayloadHeaderLength || size > rest.Length - skip - 2)
            {
                return RtpDepacketizeResult.Dropped;
            }

            rest = rest[(skip + 2 + size)..];
            count++;
        }

        if (count == 0)
        {
            return RtpDepacketizeResult.Dropped;
        }

        for (var i = 0; !units.IsEmpty; i++)
        {
            var skip = DecodingOrderNumbers ? (i == 0 ? DonlLength : DondLength) : 0;
            var size = BinaryPrimitives.ReadUInt16BigEndian(units[skip..]);
            WriteNal(nals, units.Slice(skip + 2, size), default);
            units = units[(skip + 2 + size)..];
        }

        return RtpDepacketizeResult.Nals;
    }

    //  FU: [payload header, Type 49] [FU header: S|E|FuType (6)] [DONL (16), only when S]? FU payload...
    //  The NAL header is rebuilt from the payload header with FuType in place of 49.
    private RtpDepacketizeResult ReadFragment(ReadOnlySpan<byte> payload, ushort sequence, IBufferWriter<byte> nals)
    {
        const int FuHeaderLength = 1;
        if (payload.Length < PayloadHeaderLength + FuHeaderLength)
        {
            return DropFragment();
        }

        var fuHeader = payload[PayloadHeaderLength];
        var start = (fuHeader & 0x80) != 0;
        var end = (fuHeader & 0x40) != 0;
        var fuType = fuHeader & 0x3F;
        var bodyStart = PayloadHeaderLength + FuHeaderLength + (start && DecodingOrderNumbers ? DonlLength : 0);
        if (payload.Length <= bodyStart || fuType is AggregationPacket or FragmentationUnit or Paci)
        {
            return DropFragment();
        }

        var body = payload[bodyStart..];
        if (start)
        {
            AbandonFragment();
            _skippingFragments = false;
            _fragment[0] = (byte)((payload[0] & 0x81) | (fuType << 1));
            _fragment[1] = payload[1];
            _fragmentLength = PayloadHeaderLength;
        }
        else if (_fragmentLength < 0 || sequence != _expectedSequence)
        {
            // The start or a middle part was lost: this unit cannot be rebuilt.
            var result = DropFragment();
            if (end)
            {
                _skippingFragments = false;
            }

            return result;
        }

        if (_fragmentLength + body.Length > MaxNalLength)
        {
            return DropFragment();
        }

        if (_fragmentLength + body.Length > _fragment.Length)
        {
            Array.Resize(ref _fragment, Math.Min(MaxNalLength, Math.Max(_fragment.Length * 2, _fragmentLength + body.Length)));
        }

        body.CopyTo(_fragment.AsSpan(_fragmentLength));
        _fragmentLength += body.Length;
        _expectedSequence = (ushort)(sequence + 1);
        if (!end)
        {
            return RtpDepacketizeResult.Pending;
        }

        WriteNal(nals, _fragment.AsSpan(0, _fragmentLength), default);
        _fragmentLength = -1;
        return RtpDepacketizeResult.Nals;
    }

    /// <summary>Drops the unit being fragmented, counting it once however many of its fragments follow.</summary>
    private RtpDepacketizeResult DropFragment()
    {
        if (_fragmentLength >= 0 || !_skippingFragments)
        {
            DroppedNals++;
        }

        _fragmentLength = -1;
        _skippingFragments = true;
        return RtpDepacketizeResult.Dropped;
    }

    private void AbandonFragment()
    {
        if (_fragmentLength >= 0)
        {
            DroppedNals++;
            _fragmentLength = -1;
        }
    }

    private static void WriteNal(IBufferWriter<byte> output, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var length = first.Length + second.Length;
        var span = output.GetSpan(4 + length);
        BinaryPrimitives.WriteInt32BigEndian(span, length);
        first.CopyTo(span[4..]);
        second.CopyTo(span[(4 + first.Length)..]);
        output.Advance(4 + length);
    }
}
