using System.Buffers.Binary;

namespace LiveRelay.Formats.Flv;

/// <summary>
/// The header at the start of an FLV video tag body (or RTMP video message): legacy AVC/HEVC
/// (FLV spec v10.1, E.4.3.1) or the Enhanced RTMP (v1) ExVideoTagHeader.
/// </summary>
/// <param name="FrameType">Keyframe, inter frame... (for <see cref="FlvVideoPacketType.Metadata"/> the bits carry no meaning).</param>
/// <param name="Codec">The codec, whichever way it was signalled.</param>
/// <param name="PacketType">Sequence start, coded frames, end of sequence...</param>
/// <param name="CompositionTimeMs">PTS − DTS in milliseconds (0 when the layout carries none).</param>
/// <param name="HeaderLength">Bytes before the payload (configuration record, NAL units, OBUs, AMF metadata).</param>
/// <param name="IsEnhanced">True for an Enhanced RTMP ExVideoTagHeader (FourCC signalling).</param>
public readonly record struct FlvVideoHeader(
    FlvFrameType FrameType,
    FlvVideoCodec Codec,
    FlvVideoPacketType PacketType,
    int CompositionTimeMs,
    int HeaderLength,
    bool IsEnhanced)
{
    /// <summary>Bytes in a legacy AVC/HEVC header.</summary>
    public const int LegacyLength = 5;

    /// <summary>The most bytes any header written or parsed here takes.</summary>
    public const int MaxLength = 8;

    /// <summary>The smallest composition time an SI24 holds.</summary>
    public const int MinCompositionTimeMs = -0x80_0000;

    /// <summary>The largest composition time an SI24 holds.</summary>
    public const int MaxCompositionTimeMs = 0x7F_FFFF;

    private const byte ExHeaderBit = 0x80;
    private const uint FourCcAvc1 = 0x6176_6331; // 'avc1'
    private const uint FourCcHvc1 = 0x6876_6331; // 'hvc1'
    private const uint FourCcAv01 = 0x6176_3031; // 'av01'
    private const uint FourCcVp09 = 0x7670_3039; // 'vp09'

    /// <summary>True for a keyframe or a generated keyframe.</summary>
    public bool IsKeyframe => FrameType is FlvFrameType.Keyframe or FlvFrameType.GeneratedKeyframe;

    /// <summary>True when the payload is a decoder configuration record.</summary>
    public bool IsSequenceHeader => PacketType == FlvVideoPacketType.SequenceStart;

    /// <summary>
    /// Parses the header of a video tag body. Returns false for a body too short for its header,
    /// a codec other than AVC, HEVC, AV1 or VP9 (H.263, VP6, screen video, unknown FourCCs),
    /// a reserved frame or packet type, and command frames (FrameType 5, which carry no video).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out FlvVideoHeader header)
    {
        header = default;
        if (body.IsEmpty)
        {
            return false;
        }

        return (body[0] & ExHeaderBit) != 0 ? TryParseEnhanced(body, out header) : TryParseLegacy(body, out header);
    }

    /// <summary>Writes a legacy AVC header (codec id 7) and returns its length, 5.</summary>
    public static int WriteAvc(Span<byte> destination, bool keyframe, bool sequenceHeader, int compositionTimeMs) =>
        WriteLegacy(destination, FlvVideoCodec.Avc, keyframe, sequenceHeader, compositionTimeMs);

    /// <summary>Writes a legacy HEVC header (codec id 12, the same layout as AVC) and returns its length, 5.</summary>
    public static int WriteHevc(Span<byte> destination, bool keyframe, bool sequenceHeader, int compositionTimeMs) =>
        WriteLegacy(destination, FlvVideoCodec.Hevc, keyframe, sequenceHeader, compositionTimeMs);

    /// <summary>
    /// Writes an Enhanced RTMP ExVideoTagHeader and returns its length: 8 for AVC/HEVC coded frames
    /// (which carry a composition time), 5 otherwise. <paramref name="compositionTimeMs"/> must be 0
    /// where the layout has no room for it (use <see cref="FlvVideoPacketType.CodedFramesX"/> for zero).
    /// </summary>
    public static int WriteEnhanced(Span<byte> destination, FlvVideoCodec codec, FlvFrameType frameType, FlvVideoPacketType packetType, int compositionTimeMs)
    {
        var fourCc = codec switch
        {
            FlvVideoCodec.Avc => FourCcAvc1,
            FlvVideoCodec.Hevc => FourCcHvc1,
            FlvVideoCodec.Av1 => FourCcAv01,
            FlvVideoCodec.Vp9 => FourCcVp09,
            _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "Not a codec Enhanced RTMP signals."),
        };
        if (frameType is < FlvFrameType.Keyframe or > FlvFrameType.GeneratedKeyframe)
        {
            throw new ArgumentOutOfRangeException(nameof(frameType), frameType, "Only media frame types can be written.");
        }

        if (packetType > FlvVideoPacketType.Mpeg2TsSequenceStart)
        {
            throw new ArgumentOutOfRangeException(nameof(packetType), packetType, "Not an Enhanced RTMP v1 packet type.");
        }

        var hasCompositionTime = HasCompositionTime(codec, packetType);
        if (!hasCompositionTime && compositionTimeMs != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(compositionTimeMs), compositionTimeMs, $"{codec} {packetType} carries no composition time.");
        }

        var length = hasCompositionTime ? 8 : 5;
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, length, nameof(destination));
        destination[0] = (byte)(ExHeaderBit | ((int)frameType << 4) | (int)packetType);
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], fourCc);
        if (hasCompositionTime)
        {
            WriteSInt24(destination[5..], compositionTimeMs);
        }

        return length;
    }

    // Legacy VideoTagHeader, AVC (7) and HEVC (12):
    //  byte 0                  byte 1          bytes 2-4
    // +-----------+----------+---------------+------------------------+
    // | FrameType | CodecID  | AVCPacketType | CompositionTime (SI24) | payload ...
    // |   UB[4]   |  UB[4]   | 0 seq header  | ms; 0 unless NALU      |
    // |           |          | 1 NALU, 2 EOS |                        |
    // +-----------+----------+---------------+------------------------+
    private static bool TryParseLegacy(ReadOnlySpan<byte> body, out FlvVideoHeader header)
    {
        header = default;
        var frameType = body[0] >> 4;
        var codecId = body[0] & 0x0F;
        if (frameType is < 1 or > 4 || codecId is not ((int)FlvVideoCodec.Avc or (int)FlvVideoCodec.Hevc) || body.Length < LegacyLength)
        {
            return false;
        }

        var packetType = body[1];
        if (packetType > (byte)FlvVideoPacketType.EndOfSequence)
        {
            return false;
        }

        header = new FlvVideoHeader(
            (FlvFrameType)frameType,
            (FlvVideoCodec)codecId,
            (FlvVideoPacketType)packetType,
            ReadSInt24(body[2..]),
            LegacyLength,
            IsEnhanced: false);
        return true;
    }

    // Enhanced RTMP v1 ExVideoTagHeader:
    //  byte 0                            bytes 1-4           bytes 5-7
    // +---+-----------+------------+---------------------+------------------------+
    // | 1 | FrameType | PacketType | FourCC (UI32)       | CompositionTime (SI24) | payload ...
    // |   |   UB[3]   |   UB[4]    | 'hvc1' 'av01' 'vp09'| only hvc1 (and v2 avc1)|
    // |   |           |            |                     | with CodedFrames (1)   |
    // +---+-----------+------------+---------------------+------------------------+
    // PacketType: 0 SequenceStart, 1 CodedFrames, 2 SequenceEnd, 3 CodedFramesX,
    //             4 Metadata (FrameType ignored), 5 MPEG2TSSequenceStart.
    private static bool TryParseEnhanced(ReadOnlySpan<byte> body, out FlvVideoHeader header)
    {
        header = default;
        var frameType = (body[0] >> 4) & 0x07;
        var packetType = (FlvVideoPacketType)(body[0] & 0x0F);
        if (packetType > FlvVideoPacketType.Mpeg2TsSequenceStart)
        {
            return false; // reserved, or v2 Multitrack/ModEx
        }

        if (packetType != FlvVideoPacketType.Metadata && frameType is < 1 or > 4)
        {
            return false; // reserved frame types, and command frames (no FourCC follows)
        }

        if (body.Length < 5)
        {
            return false;
        }

        FlvVideoCodec codec;
        switch (BinaryPrimitives.ReadUInt32BigEndian(body[1..]))
        {
            case FourCcHvc1: codec = FlvVideoCodec.Hevc; break;
            case FourCcAvc1: codec = FlvVideoCodec.Avc; break;
            case FourCcAv01: codec = FlvVideoCodec.Av1; break;
            case FourCcVp09: codec = FlvVideoCodec.Vp9; break;
            default: return false;
        }

        var compositionTime = 0;
        var length = 5;
        if (HasCompositionTime(codec, packetType))
        {
            if (body.Length < 8)
            {
                return false;
            }

            compositionTime = ReadSInt24(body[5..]);
            length = 8;
        }

        header = new FlvVideoHeader((FlvFrameType)frameType, codec, packetType, compositionTime, length, IsEnhanced: true);
        return true;
    }

    private static int WriteLegacy(Span<byte> destination, FlvVideoCodec codec, bool keyframe, bool sequenceHeader, int compositionTimeMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, LegacyLength, nameof(destination));
        var frameType = keyframe ? FlvFrameType.Keyframe : FlvFrameType.InterFrame;
        destination[0] = (byte)(((int)frameType << 4) | (int)codec);
        destination[1] = (byte)(sequenceHeader ? FlvVideoPacketType.SequenceStart : FlvVideoPacketType.CodedFrames);
        WriteSInt24(destination[2..], compositionTimeMs);
        return LegacyLength;
    }

    private static bool HasCompositionTime(FlvVideoCodec codec, FlvVideoPacketType packetType) =>
        packetType == FlvVideoPacketType.CodedFrames && codec is FlvVideoCodec.Hevc or FlvVideoCodec.Avc;

    private static int ReadSInt24(ReadOnlySpan<byte> source) => (source[0] << 24 | source[1] << 16 | source[2] << 8) >> 8;

    private static void WriteSInt24(Span<byte> destination, int value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, MinCompositionTimeMs, "compositionTimeMs");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxCompositionTimeMs, "compositionTimeMs");
        destination[0] = (byte)(value >> 16);
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)value;
    }
}
