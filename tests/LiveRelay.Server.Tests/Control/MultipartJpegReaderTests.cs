using System.Buffers;
using System.Text;
using LiveRelay.Server.Control.Monitoring;

namespace LiveRelay.Server.Tests.Control;

public sealed class MultipartJpegReaderTests
{
    private static readonly byte[] s_pictureA = [0xFF, 0xD8, 0x01, 0x02, 0x03, 0xFF, 0xD9];
    private static readonly byte[] s_pictureB = [0xFF, 0xD8, 0x0D, 0x0A, 0x0D, 0x0A, 0x2D, 0x2D, 0xFF, 0xD9]; // CRLF CRLF "--" inside the data

    /// <summary>Two parts as ffmpeg's mpjpeg muxer writes them.</summary>
    private static byte[] TwoParts() =>
    [
        .. Part(s_pictureA),
        .. Part(s_pictureB),
    ];

    private static byte[] Part(byte[] picture, string lengthHeader = "Content-length") =>
    [
        .. Encoding.ASCII.GetBytes($"--ffmpeg\r\nContent-type: image/jpeg\r\n{lengthHeader}: {picture.Length}\r\n\r\n"),
        .. picture,
        .. "\r\n"u8,
    ];

    [Fact]
    public void TryRead_TwoParts_ReturnsEachPictureAndConsumesAll()
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(TwoParts()));

        Assert.True(MultipartJpegReader.TryRead(ref reader, out var first));
        Assert.Equal(s_pictureA, first.ToArray());
        Assert.True(MultipartJpegReader.TryRead(ref reader, out var second));
        Assert.Equal(s_pictureB, second.ToArray());
        Assert.True(reader.End);
        Assert.False(MultipartJpegReader.TryRead(ref reader, out _));
    }

    [Fact]
    public void TryRead_EveryTruncatedPrefix_ReturnsFalseAndConsumesNothing()
    {
        var part = Part(s_pictureB);
        for (var length = 0; length < part.Length; length++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(part, 0, length));

            Assert.False(MultipartJpegReader.TryRead(ref reader, out _), $"prefix of {length}");
            Assert.Equal(0, reader.Consumed);
        }
    }

    [Fact]
    public void TryRead_BytesInManySegments_ReadsTheSamePictures()
    {
        var bytes = TwoParts();
        var sequence = Segments.Of(bytes, 3);
        var reader = new SequenceReader<byte>(sequence);

        Assert.True(MultipartJpegReader.TryRead(ref reader, out var first));
        Assert.True(MultipartJpegReader.TryRead(ref reader, out var second));

        Assert.Equal(s_pictureA, first.ToArray());
        Assert.Equal(s_pictureB, second.ToArray());
    }

    [Fact]
    public void TryRead_HeaderNamesInAnyCase_AreAccepted()
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Part(s_pictureA, "CONTENT-LENGTH")));

        Assert.True(MultipartJpegReader.TryRead(ref reader, out var picture));
        Assert.Equal(s_pictureA, picture.ToArray());
    }

    [Theory]
    [InlineData("--ffmpeg\r\nContent-type: image/jpeg\r\n\r\n", "without Content-length")]
    [InlineData("--ffmpeg\r\nContent-length: 0\r\n\r\n", "Content-length must be")]
    [InlineData("--ffmpeg\r\nContent-length: -5\r\n\r\n", "Content-length must be")]
    [InlineData("--ffmpeg\r\nContent-length: 99999999999\r\n\r\n", "Content-length must be")]
    [InlineData("--ffmpeg\r\nContent-length: 3\r\n\r\nabcXY", "no CRLF after a picture")]
    public void TryRead_BrokenPart_ThrowsWithTheReason(string text, string reason)
    {
        var bytes = Encoding.ASCII.GetBytes(text);

        var error = Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
            MultipartJpegReader.TryRead(ref reader, out _);
        });

        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void TryRead_EndlessHeaders_ThrowsInsteadOfBuffering()
    {
        var bytes = new byte[MultipartJpegReader.MaxHeaderBytes + 1];
        bytes.AsSpan().Fill((byte)'x');

        var error = Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
            MultipartJpegReader.TryRead(ref reader, out _);
        });

        Assert.Contains("no end of the part headers", error.Message);
    }

    [Fact]
    public void TryRead_LengthOverTheLimit_IsRefusedBeforeTheBodyArrives()
    {
        var header = Encoding.ASCII.GetBytes($"--ffmpeg\r\nContent-length: {MultipartJpegReader.MaxPictureBytes + 1}\r\n\r\n");

        Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(header));
            MultipartJpegReader.TryRead(ref reader, out _);
        });
    }

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        /// <summary>The bytes split into segments of <paramref name="size"/> bytes.</summary>
        public static ReadOnlySequence<byte> Of(byte[] bytes, int size)
        {
            var first = new Segments(bytes.AsMemory(0, Math.Min(size, bytes.Length)), 0);
            var last = first;
            for (var offset = size; offset < bytes.Length; offset += size)
            {
                var next = new Segments(bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset)), offset);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
