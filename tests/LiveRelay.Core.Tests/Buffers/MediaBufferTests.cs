using LiveRelay.Core.Buffers;
using LiveRelay.Core.Media;

namespace LiveRelay.Core.Tests.Buffers;

public sealed class MediaBufferTests
{
    [Fact]
    public void Release_MoreThanReferenced_Throws()
    {
        var buffer = MediaBuffer.CopyOf([1, 2, 3]);
        buffer.Release();
        Assert.Throws<InvalidOperationException>(buffer.Release);
    }

    [Fact]
    public void PooledBufferWriter_GrowsPastInitialCapacity_KeepsBytes()
    {
        var writer = new PooledBufferWriter(16);
        for (var i = 0; i < 1000; i++)
        {
            writer.GetSpan(1)[0] = (byte)i;
            writer.Advance(1);
        }

        var buffer = writer.Detach();
        writer.Release();
        Assert.Equal(1000, buffer.Length);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (byte)i), buffer.Span.ToArray());
        buffer.Release();
    }

    [Fact]
    public void GetEncoded_ManyReaders_EncodesOnceAndReleasesWithFrame()
    {
        var track = new TrackInfo { Kind = MediaKind.Audio, Codec = CodecId.Aac };
        var frame = MediaFrame.Copy(track, [9, 9], 0, 0, false);
        CountingEncoder.Calls = 0;

        var first = frame.GetEncoded<CountingEncoder>();
        var second = frame.GetEncoded<CountingEncoder>();

        Assert.Equal(1, CountingEncoder.Calls);
        Assert.True(first.Span.SequenceEqual(second.Span));
        Assert.Equal([0xEE, 9, 9], first.ToArray());
        var encoded = CountingEncoder.Last!;
        Assert.Equal(1, encoded.RefCount);
        frame.Release();
        Assert.Equal(0, encoded.RefCount);
    }

    private sealed class CountingEncoder : IFrameEncoder
    {
        public static int Calls;
        public static MediaBuffer? Last;

        public static EncodingSlot Slot { get; } = EncodingSlot.Allocate();

        public static MediaBuffer Encode(MediaFrame frame)
        {
            Calls++;
            var buffer = MediaBuffer.Rent(frame.PayloadLength + 1);
            buffer.WritableSpan[0] = 0xEE;
            frame.Payload.Span.CopyTo(buffer.WritableSpan[1..]);
            buffer.SetLength(frame.PayloadLength + 1);
            return Last = buffer;
        }
    }
}
