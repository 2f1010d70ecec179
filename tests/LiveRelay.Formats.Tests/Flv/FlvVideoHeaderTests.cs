using LiveRelay.Formats.Flv;
using static LiveRelay.Formats.Tests.Amf.AmfTestBytes;

namespace LiveRelay.Formats.Tests.Flv;

public class FlvVideoHeaderTests
{
    [Fact]
    public void TryParse_AvcSequenceHeader_ReturnsSequenceStart()
    {
        // 0x17 0x00 + CTS 0 + AVCDecoderConfigurationRecord (High 3.1, one SPS, one PPS).
        var body = Hex("17 00 000000  01 64001f ff e1 0004 6764001f 01 0004 68ebe3cb");

        Assert.True(FlvVideoHeader.TryParse(body, out var header));

        Assert.Equal(new FlvVideoHeader(FlvFrameType.Keyframe, FlvVideoCodec.Avc, FlvVideoPacketType.SequenceStart, 0, 5, false), header);
        Assert.True(header.IsKeyframe);
        Assert.True(header.IsSequenceHeader);
        Assert.Equal(Hex("01 64001f"), body[header.HeaderLength..][..4]);
    }

    [Theory]
    [InlineData("17 01 000050  00000005 6588840021", FlvFrameType.Keyframe, 80)]
    [InlineData("27 01 000028  00000003 419a02", FlvFrameType.InterFrame, 40)]
    [InlineData("27 01 ffffd8  00000003 419a02", FlvFrameType.InterFrame, -40)]
    [InlineData("27 01 ffffff  00000003 419a02", FlvFrameType.InterFrame, -1)]
    [InlineData("37 01 800000  00000003 019a02", FlvFrameType.DisposableInterFrame, -8388608)]
    [InlineData("27 01 7fffff  00000003 419a02", FlvFrameType.InterFrame, 8388607)]
    public void TryParse_AvcNalu_ReturnsFrameTypeAndCompositionTime(string hex, FlvFrameType frameType, int compositionTime)
    {
        var body = Hex(hex);

        Assert.True(FlvVideoHeader.TryParse(body, out var header));

        Assert.Equal(frameType, header.FrameType);
        Assert.Equal(FlvVideoCodec.Avc, header.Codec);
        Assert.Equal(FlvVideoPacketType.CodedFrames, header.PacketType);
        Assert.Equal(compositionTime, header.CompositionTimeMs);
        Assert.Equal(5, header.HeaderLength);
        Assert.False(header.IsEnhanced);
        Assert.False(header.IsSequenceHeader);
        Assert.Equal(Hex("000000"), body[header.HeaderLength..][..3]); // the first NAL length
    }

    [Fact]
    public void TryParse_AvcEndOfSequence_ReturnsEndOfSequence()
    {
        Assert.True(FlvVideoHeader.TryParse(Hex("17 02 000000"), out var header));

        Assert.Equal(FlvVideoPacketType.EndOfSequence, header.PacketType);
        Assert.Equal(5, header.HeaderLength);
    }

    [Fact]
    public void TryParse_LegacyHevcSequenceHeader_ReturnsHevc()
    {
        // Codec id 12, the layout Chinese CDNs use: same as AVC, then an HEVCDecoderConfigurationRecord.
        var body = Hex("1c 00 000000  01 01 60000000 b00000000000 5d f000 fc fd f8 f8 00 00 0f 03");

        Assert.True(FlvVideoHeader.TryParse(body, out var header));

        Assert.Equal(new FlvVideoHeader(FlvFrameType.Keyframe, FlvVideoCodec.Hevc, FlvVideoPacketType.SequenceStart, 0, 5, false), header);
    }

    [Fact]
    public void TryParse_LegacyHevcInterFrame_ReturnsCompositionTime()
    {
        Assert.True(FlvVideoHeader.TryParse(Hex("2c 01 000021  00000003 020101"), out var header));

        Assert.Equal(new FlvVideoHeader(FlvFrameType.InterFrame, FlvVideoCodec.Hevc, FlvVideoPacketType.CodedFrames, 33, 5, false), header);
    }

    [Fact]
    public void TryParse_EnhancedHvc1SequenceStart_ReturnsHevcWithFiveByteHeader()
    {
        // IsExHeader | keyframe | PacketTypeSequenceStart, 'hvc1', HEVCDecoderConfigurationRecord.
        var body = Hex("90 68766331  01 01 60000000 b00000000000 5d f000 fc fd f8 f8 00 00 0f 03");

        Assert.True(FlvVideoHeader.TryParse(body, out var header));

        Assert.Equal(new FlvVideoHeader(FlvFrameType.Keyframe, FlvVideoCodec.Hevc, FlvVideoPacketType.SequenceStart, 0, 5, true), header);
        Assert.Equal(0x01, body[header.HeaderLength]); // configurationVersion
    }

    [Theory]
    [InlineData("91 68766331 000050  00000003 260100", FlvFrameType.Keyframe, 80)]
    [InlineData("a1 68766331 ffffd8  00000003 020100", FlvFrameType.InterFrame, -40)]
    public void TryParse_EnhancedHvc1CodedFrames_ReadsCompositionTime(string hex, FlvFrameType frameType, int compositionTime)
    {
        Assert.True(FlvVideoHeader.TryParse(Hex(hex), out var header));

        Assert.Equal(new FlvVideoHeader(frameType, FlvVideoCodec.Hevc, FlvVideoPacketType.CodedFrames, compositionTime, 8, true), header);
    }

    [Fact]
    public void TryParse_EnhancedHvc1CodedFramesX_HasNoCompositionTime()
    {
        Assert.True(FlvVideoHeader.TryParse(Hex("a3 68766331  00000003 020100"), out var header));

        Assert.Equal(new FlvVideoHeader(FlvFrameType.InterFrame, FlvVideoCodec.Hevc, FlvVideoPacketType.CodedFramesX, 0, 5, true), header);
    }

    [Fact]
    public void TryParse_EnhancedAv1CodedFrames_HasNoCompositionTime()
    {
        // AV1 coded frames carry OBUs right after the FourCC (temporal delimiter 0x12 0x00 here).
        Assert.True(FlvVideoHeader.TryParse(Hex("91 61763031  1200 0a0b0000"), out var header));

        Assert.Equal(new FlvVideoHeader(FlvFrameType.Keyframe, FlvVideoCodec.Av1, FlvVideoPacketType.CodedFrames, 0, 5, true), header);
    }

    [Theory]
    [InlineData("90 76703039 01000000", FlvVideoCodec.Vp9, FlvVideoPacketType.SequenceStart)]
    [InlineData("a1 76703039 8249834200", FlvVideoCodec.Vp9, FlvVideoPacketType.CodedFrames)]
    [InlineData("92 68766331", FlvVideoCodec.Hevc, FlvVideoPacketType.EndOfSequence)]
    [InlineData("95 61763031 80", FlvVideoCodec.Av1, FlvVideoPacketType.Mpeg2TsSequenceStart)]
    [InlineData("91 61766331 000000 00000001 65", FlvVideoCodec.Avc, FlvVideoPacketType.CodedFrames)] // v2 'avc1'
    public void TryParse_EnhancedPacketTypes_ReturnsCodecAndPacketType(string hex, FlvVideoCodec codec, FlvVideoPacketType packetType)
    {
        Assert.True(FlvVideoHeader.TryParse(Hex(hex), out var header));

        Assert.Equal(codec, header.Codec);
        Assert.Equal(packetType, header.PacketType);
        Assert.True(header.IsEnhanced);
        Assert.Equal(codec == FlvVideoCodec.Avc ? 8 : 5, header.HeaderLength);
    }

    [Fact]
    public void TryParse_EnhancedMetadataWithReservedFrameBits_ReturnsMetadata()
    {
        // PacketTypeMetadata ignores FrameType; the body is AMF: "colorInfo", {...}.
        Assert.True(FlvVideoHeader.TryParse(Hex("84 68766331  02 0009 636f6c6f72496e666f 03 000009"), out var header));

        Assert.Equal(FlvVideoPacketType.Metadata, header.PacketType);
        Assert.Equal(FlvVideoCodec.Hevc, header.Codec);
        Assert.Equal(5, header.HeaderLength);
    }

    [Theory]
    [InlineData("")]                       // empty
    [InlineData("17")]                     // AVC without packet type
    [InlineData("17 01 0000")]             // AVC one byte short
    [InlineData("22 00")]                  // Sorenson H.263
    [InlineData("14 00")]                  // On2 VP6
    [InlineData("13 00")]                  // screen video
    [InlineData("18 00 000000")]           // codec id 8, reserved
    [InlineData("57 00")]                  // command frame (AVC): no video
    [InlineData("07 01 000000")]           // frame type 0, reserved
    [InlineData("67 01 000000")]           // frame type 6, reserved
    [InlineData("17 03 000000")]           // AVC packet type 3
    [InlineData("96 68766331")]            // enhanced packet type 6 (v2 multitrack)
    [InlineData("97 68766331")]            // enhanced packet type 7 (v2 ModEx)
    [InlineData("90 61766332")]            // unknown FourCC 'avc2'
    [InlineData("90 6876")]                // FourCC cut short
    [InlineData("91 68766331 0000")]       // hvc1 coded frames without all of the SI24
    [InlineData("d0 00")]                  // enhanced command frame
    [InlineData("80 68766331")]            // enhanced frame type 0, reserved
    public void TryParse_UnsupportedOrShort_ReturnsFalse(string hex)
    {
        Assert.False(FlvVideoHeader.TryParse(Hex(hex), out _));
    }

    [Theory]
    [InlineData(true, true, 0, "17 00 000000")]
    [InlineData(true, false, 80, "17 01 000050")]
    [InlineData(false, false, -40, "27 01 ffffd8")]
    [InlineData(false, false, 8388607, "27 01 7fffff")]
    [InlineData(false, false, -8388608, "27 01 800000")]
    public void WriteAvc_Flags_WritesExactBytes(bool keyframe, bool sequenceHeader, int compositionTime, string expected)
    {
        var buffer = new byte[5];

        Assert.Equal(5, FlvVideoHeader.WriteAvc(buffer, keyframe, sequenceHeader, compositionTime));

        Assert.Equal(Hex(expected), buffer);
    }

    [Theory]
    [InlineData(true, true, 0, "1c 00 000000")]
    [InlineData(false, false, 33, "2c 01 000021")]
    [InlineData(true, false, -1, "1c 01 ffffff")]
    public void WriteHevc_Flags_WritesExactBytes(bool keyframe, bool sequenceHeader, int compositionTime, string expected)
    {
        var buffer = new byte[5];

        Assert.Equal(5, FlvVideoHeader.WriteHevc(buffer, keyframe, sequenceHeader, compositionTime));

        Assert.Equal(Hex(expected), buffer);
    }

    [Theory]
    [InlineData(FlvVideoCodec.Hevc, FlvFrameType.Keyframe, FlvVideoPacketType.SequenceStart, 0, "90 68766331")]
    [InlineData(FlvVideoCodec.Hevc, FlvFrameType.InterFrame, FlvVideoPacketType.CodedFrames, -40, "a1 68766331 ffffd8")]
    [InlineData(FlvVideoCodec.Hevc, FlvFrameType.InterFrame, FlvVideoPacketType.CodedFramesX, 0, "a3 68766331")]
    [InlineData(FlvVideoCodec.Av1, FlvFrameType.Keyframe, FlvVideoPacketType.CodedFrames, 0, "91 61763031")]
    [InlineData(FlvVideoCodec.Vp9, FlvFrameType.InterFrame, FlvVideoPacketType.CodedFramesX, 0, "a3 76703039")]
    [InlineData(FlvVideoCodec.Avc, FlvFrameType.Keyframe, FlvVideoPacketType.CodedFrames, 0, "91 61766331 000000")]
    [InlineData(FlvVideoCodec.Av1, FlvFrameType.Keyframe, FlvVideoPacketType.EndOfSequence, 0, "92 61763031")]
    public void WriteEnhanced_Fields_WritesExactBytesAndParsesBack(FlvVideoCodec codec, FlvFrameType frameType, FlvVideoPacketType packetType, int compositionTime, string expected)
    {
        var buffer = new byte[FlvVideoHeader.MaxLength];

        var length = FlvVideoHeader.WriteEnhanced(buffer, codec, frameType, packetType, compositionTime);

        Assert.Equal(Hex(expected), buffer[..length]);
        Assert.True(FlvVideoHeader.TryParse(buffer.AsSpan(0, length), out var header));
        Assert.Equal(new FlvVideoHeader(frameType, codec, packetType, compositionTime, length, true), header);
    }

    [Theory]
    [InlineData(-8388608)]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8388607)]
    public void WriteAvc_CompositionTime_RoundTrips(int compositionTime)
    {
        var buffer = new byte[5];
        FlvVideoHeader.WriteAvc(buffer, keyframe: false, sequenceHeader: false, compositionTime);

        Assert.True(FlvVideoHeader.TryParse(buffer, out var header));

        Assert.Equal(compositionTime, header.CompositionTimeMs);
        Assert.Equal(FlvFrameType.InterFrame, header.FrameType);
    }

    [Theory]
    [InlineData(8388608)]
    [InlineData(-8388609)]
    public void WriteAvc_CompositionTimeOutsideSi24_ThrowsArgumentOutOfRange(int compositionTime)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FlvVideoHeader.WriteAvc(new byte[5], true, false, compositionTime));
    }

    [Fact]
    public void WriteEnhanced_CompositionTimeWithoutRoom_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FlvVideoHeader.WriteEnhanced(new byte[8], FlvVideoCodec.Av1, FlvFrameType.Keyframe, FlvVideoPacketType.CodedFrames, 40));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FlvVideoHeader.WriteEnhanced(new byte[8], FlvVideoCodec.Hevc, FlvFrameType.Keyframe, FlvVideoPacketType.CodedFramesX, 40));
    }

    [Fact]
    public void WriteEnhanced_InvalidFields_ThrowArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FlvVideoHeader.WriteEnhanced(new byte[8], FlvVideoCodec.Hevc, FlvFrameType.Command, FlvVideoPacketType.CodedFramesX, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FlvVideoHeader.WriteEnhanced(new byte[8], FlvVideoCodec.Hevc, FlvFrameType.Keyframe, (FlvVideoPacketType)6, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FlvVideoHeader.WriteEnhanced(new byte[8], (FlvVideoCodec)2, FlvFrameType.Keyframe, FlvVideoPacketType.SequenceStart, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FlvVideoHeader.WriteEnhanced(new byte[7], FlvVideoCodec.Hevc, FlvFrameType.Keyframe, FlvVideoPacketType.CodedFrames, 0));
    }

    [Fact]
    public void WriteAvc_DestinationTooSmall_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FlvVideoHeader.WriteAvc(new byte[4], true, true, 0));
    }
}
