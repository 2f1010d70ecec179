using System.Buffers;
using System.Buffers.Binary;
using LiveRelay.Formats.Amf;
using LiveRelay.Formats.Flv;
using static LiveRelay.Formats.Tests.Amf.AmfTestBytes;

namespace LiveRelay.Formats.Tests.Flv;

public class FlvFileRoundTripTests
{
    private static readonly byte[] s_avcConfig = Hex("01 64001f ff e1 0004 6764001f 01 0004 68ebe3cb");
    private static readonly byte[] s_idr = Hex("00000005 6588840021");
    private static readonly byte[] s_inter = Hex("00000003 419a02");
    private static readonly byte[] s_aacConfig = Hex("1210");
    private static readonly byte[] s_aacFrame = Hex("21100564a0");

    [Fact]
    public void SmallFile_WrittenWithWriters_ParsesBackTagByTag()
    {
        var file = WriteSmallFile();

        Assert.True(FlvHeader.TryRead(file, out var hasAudio, out var hasVideo, out var dataOffset));
        Assert.True(hasAudio);
        Assert.True(hasVideo);

        var reader = new SequenceReader<byte>(TestSequence.Split(file[(dataOffset + FlvTag.PreviousTagSizeLength)..], 7));
        var tags = new List<(FlvTagHeader Header, byte[] Body)>();
        while (FlvTag.TryReadTag(ref reader, 1 << 20, out var header, out var body))
        {
            tags.Add((header, body.ToArray()));
        }

        Assert.True(reader.End);
        Assert.Equal(
            new[] { FlvTagType.Script, FlvTagType.Video, FlvTagType.Audio, FlvTagType.Video, FlvTagType.Audio, FlvTagType.Video },
            tags.Select(t => t.Header.Type));
        Assert.Equal(new long[] { 0, 0, 0, 0, 23, 33 }, tags.Select(t => t.Header.TimestampMs));

        Assert.True(FlvScriptData.TryReadScriptData(tags[0].Body, out var name, out var metadata));
        Assert.Equal("onMetaData", name);
        Assert.True(metadata!.TryGetNumber("videocodecid", out var videoCodecId));
        Assert.Equal(7.0, videoCodecId);

        AssertVideo(tags[1].Body, FlvVideoPacketType.SequenceStart, keyframe: true, compositionTime: 0, s_avcConfig);
        AssertAudio(tags[2].Body, sequenceHeader: true, s_aacConfig);
        AssertVideo(tags[3].Body, FlvVideoPacketType.CodedFrames, keyframe: true, compositionTime: 66, s_idr);
        AssertAudio(tags[4].Body, sequenceHeader: false, s_aacFrame);
        AssertVideo(tags[5].Body, FlvVideoPacketType.CodedFrames, keyframe: false, compositionTime: -33, s_inter);
    }

    [Fact]
    public void SmallFile_PreviousTagSizes_PointBackToEachTagStart()
    {
        var file = WriteSmallFile();

        // Walk the file backwards from its end, as a seeking player does.
        var position = file.Length;
        var count = 0;
        while (position > FlvHeader.LengthWithFirstTagSize)
        {
            var previousTagSize = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(position - 4));
            position -= 4 + previousTagSize;
            var dataSize = file[position + 1] << 16 | file[position + 2] << 8 | file[position + 3];
            Assert.Equal(FlvTag.HeaderLength + dataSize, previousTagSize);
            count++;
        }

        Assert.Equal(FlvHeader.LengthWithFirstTagSize, position);
        Assert.Equal(6, count);
    }

    private static byte[] WriteSmallFile()
    {
        var output = new ArrayBufferWriter<byte>();
        FlvHeader.Write(output.GetSpan(FlvHeader.LengthWithFirstTagSize), hasAudio: true, hasVideo: true);
        output.Advance(FlvHeader.LengthWithFirstTagSize);

        var metadata = new AmfObject(isEcmaArray: true)
        {
            { "width", 1280 }, { "height", 720 }, { "videocodecid", 7 }, { "audiocodecid", 10 }, { "encoder", "LiveRelay" },
        };
        FlvTag.WriteTag(output, FlvTagType.Script, 0, Write(o => FlvScriptData.WriteOnMetaData(o, metadata)));
        WriteVideo(output, 0, keyframe: true, sequenceHeader: true, compositionTime: 0, s_avcConfig);
        WriteAudio(output, 0, sequenceHeader: true, s_aacConfig);
        WriteVideo(output, 0, keyframe: true, sequenceHeader: false, compositionTime: 66, s_idr);
        WriteAudio(output, 23, sequenceHeader: false, s_aacFrame);
        WriteVideo(output, 33, keyframe: false, sequenceHeader: false, compositionTime: -33, s_inter);
        return output.WrittenSpan.ToArray();
    }

    // Written field by field with the span primitives, as an egress that serializes in place would.
    private static void WriteVideo(IBufferWriter<byte> output, long timestamp, bool keyframe, bool sequenceHeader, int compositionTime, byte[] payload)
    {
        var dataSize = FlvVideoHeader.LegacyLength + payload.Length;
        var span = output.GetSpan(FlvTag.HeaderLength + dataSize + FlvTag.PreviousTagSizeLength);
        FlvTag.WriteHeader(span, FlvTagType.Video, dataSize, timestamp);
        var headerLength = FlvVideoHeader.WriteAvc(span[FlvTag.HeaderLength..], keyframe, sequenceHeader, compositionTime);
        payload.CopyTo(span[(FlvTag.HeaderLength + headerLength)..]);
        FlvTag.WritePreviousTagSize(span[(FlvTag.HeaderLength + dataSize)..], FlvTag.HeaderLength + dataSize);
        output.Advance(FlvTag.HeaderLength + dataSize + FlvTag.PreviousTagSizeLength);
    }

    private static void WriteAudio(IBufferWriter<byte> output, long timestamp, bool sequenceHeader, byte[] payload)
    {
        var body = new byte[FlvAudioHeader.AacLength + payload.Length];
        FlvAudioHeader.WriteAacHeader(body, sequenceHeader);
        payload.CopyTo(body, FlvAudioHeader.AacLength);
        FlvTag.WriteTag(output, FlvTagType.Audio, timestamp, body);
    }

    private static void AssertVideo(byte[] body, FlvVideoPacketType packetType, bool keyframe, int compositionTime, byte[] payload)
    {
        Assert.True(FlvVideoHeader.TryParse(body, out var header));
        Assert.Equal(FlvVideoCodec.Avc, header.Codec);
        Assert.Equal(packetType, header.PacketType);
        Assert.Equal(keyframe, header.IsKeyframe);
        Assert.Equal(compositionTime, header.CompositionTimeMs);
        Assert.Equal(payload, body[header.HeaderLength..]);
    }

    private static void AssertAudio(byte[] body, bool sequenceHeader, byte[] payload)
    {
        Assert.True(FlvAudioHeader.TryParse(body, out var header));
        Assert.Equal(FlvSoundFormat.Aac, header.Format);
        Assert.Equal(sequenceHeader, header.IsAacSequenceHeader);
        Assert.Equal(payload, body[header.HeaderLength..]);
    }
}
