using System.Buffers;
using LiveRelay.Formats.Flv;
using LiveRelay.Protocols.Http.Flv;

namespace LiveRelay.Protocols.Http.Tests.Flv;

public sealed class FlvTagEncoderTests
{
    [Fact]
    public void Encode_VideoFrame_IsOneTagWithAvcHeaderCompositionTimeAndPayload()
    {
        var frame = TestMedia.VideoAt(123_456, key: true, size: 300, compositionMs: 80);

        var bytes = frame.GetEncoded<FlvTagEncoder>().ToArray();

        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.True(FlvTag.TryReadTag(ref reader, 1 << 20, out var header, out var body));
        Assert.Equal(bytes.Length, reader.Consumed);
        Assert.Equal(FlvTagType.Video, header.Type);
        Assert.Equal(123_456, header.TimestampMs);
        var data = body.ToArray();
        Assert.Equal([0x17, 0x01, 0x00, 0x00, 0x50], data[..5]); // keyframe AVC, NALU, composition time 80 ms
        Assert.Equal(frame.Payload.ToArray(), data[5..]);
        frame.Release();
    }

    [Fact]
    public void Encode_AudioFrame_IsAacRawTag()
    {
        var frame = TestMedia.AudioAt(40);

        var bytes = frame.GetEncoded<FlvTagEncoder>().ToArray();

        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.True(FlvTag.TryReadTag(ref reader, 1 << 20, out var header, out var body));
        Assert.Equal(FlvTagType.Audio, header.Type);
        Assert.Equal(40, header.TimestampMs);
        Assert.Equal([0xAF, 0x01], body.ToArray()[..2]);
        frame.Release();
    }
}
