using System.Buffers;
using LiveRelay.Formats.Flv;
using static LiveRelay.Formats.Tests.Amf.AmfTestBytes;

namespace LiveRelay.Formats.Tests.Flv;

public class FlvTagTests
{
    private const int Limit = 1 << 20;

    // An AVC inter frame at 0x01020304 ms: header, body (video header + one AUD NAL unit), PreviousTagSize 22.
    private static readonly byte[] s_header = Hex("09 00000b 020304 01 000000");
    private static readonly byte[] s_body = Hex("27 01 000028 00000002 09f0");
    private static readonly byte[] s_tag = [.. s_header, .. s_body, .. Hex("00000016")];

    [Fact]
    public void WriteHeader_VideoTag_WritesExactBytes()
    {
        var buffer = new byte[FlvTag.HeaderLength];

        FlvTag.WriteHeader(buffer, FlvTagType.Video, 11, 0x01020304);

        Assert.Equal(s_header, buffer);
    }

    [Theory]
    [InlineData(FlvTagType.Audio, 0, 0L, "08 000000 000000 00 000000")]
    [InlineData(FlvTagType.Script, 0x123456, 0xFFFFFFL, "12 123456 ffffff 00 000000")]
    [InlineData(FlvTagType.Audio, 4, 0x1000000L, "08 000004 000000 01 000000")]    // 2^24 needs the extended byte
    [InlineData(FlvTagType.Video, 4, 0xFFFFFFFFL, "09 000004 ffffff ff 000000")]
    [InlineData(FlvTagType.Video, 4, 0x100000005L, "09 000004 000005 00 000000")]  // wraps modulo 2^32
    [InlineData(FlvTagType.Video, 4, -1L, "09 000004 ffffff ff 000000")]
    public void WriteHeader_Fields_WritesExactBytes(FlvTagType type, int dataSize, long timestamp, string expected)
    {
        var buffer = new byte[FlvTag.HeaderLength];

        FlvTag.WriteHeader(buffer, type, dataSize, timestamp);

        Assert.Equal(Hex(expected), buffer);
    }

    [Fact]
    public void WriteHeader_InvalidArguments_ThrowArgumentException()
    {
        Assert.ThrowsAny<ArgumentException>(() => FlvTag.WriteHeader(new byte[11], FlvTagType.Video, FlvTag.MaxDataSize + 1, 0));
        Assert.ThrowsAny<ArgumentException>(() => FlvTag.WriteHeader(new byte[11], FlvTagType.Video, -1, 0));
        Assert.ThrowsAny<ArgumentException>(() => FlvTag.WriteHeader(new byte[11], (FlvTagType)10, 1, 0));
        Assert.ThrowsAny<ArgumentException>(() => FlvTag.WriteHeader(new byte[10], FlvTagType.Video, 1, 0));
    }

    [Fact]
    public void WritePreviousTagSize_TagSize_WritesBigEndian()
    {
        var buffer = new byte[FlvTag.PreviousTagSizeLength];

        FlvTag.WritePreviousTagSize(buffer, 11 + 0x0102);

        Assert.Equal(Hex("0000010d"), buffer);
    }

    [Fact]
    public void WriteTag_Body_WritesHeaderBodyAndPreviousTagSize()
    {
        Assert.Equal(s_tag, Write(o => FlvTag.WriteTag(o, FlvTagType.Video, 0x01020304, s_body)));
    }

    [Fact]
    public void TryReadTag_CompleteTag_ReturnsHeaderAndBodyAndConsumesAll()
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(s_tag));

        Assert.True(FlvTag.TryReadTag(ref reader, Limit, out var header, out var body));

        Assert.Equal(new FlvTagHeader(FlvTagType.Video, 11, 0x01020304), header);
        Assert.Equal(s_body, body.ToArray());
        Assert.Equal(s_tag.Length, reader.Consumed);
        Assert.True(reader.End);
    }

    [Fact]
    public void TryReadTag_SplitAtEveryOffset_ReturnsSameTag()
    {
        for (var cut = 1; cut < s_tag.Length; cut++)
        {
            var reader = new SequenceReader<byte>(TestSequence.SplitAt(s_tag, cut));

            Assert.True(FlvTag.TryReadTag(ref reader, Limit, out var header, out var body));

            Assert.Equal(11, header.DataSize);
            Assert.Equal(s_body, body.ToArray());
            Assert.Equal(s_tag.Length, reader.Consumed);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void TryReadTag_SmallSegments_ReturnsSameTag(int segmentSize)
    {
        var reader = new SequenceReader<byte>(TestSequence.Split(s_tag, segmentSize));

        Assert.True(FlvTag.TryReadTag(ref reader, Limit, out var header, out var body));

        Assert.Equal(0x01020304, header.TimestampMs);
        Assert.False(body.IsSingleSegment);
        Assert.Equal(s_body, body.ToArray());
        Assert.True(reader.End);
    }

    [Fact]
    public void TryReadTag_EveryTruncatedPrefix_ReturnsFalseAndConsumesNothing()
    {
        for (var length = 0; length < s_tag.Length; length++)
        {
            var prefix = s_tag[..length];
            foreach (var sequence in new[] { new ReadOnlySequence<byte>(prefix), TestSequence.Split(prefix, 1), TestSequence.Split(prefix, 5) })
            {
                var reader = new SequenceReader<byte>(sequence);

                Assert.False(FlvTag.TryReadTag(ref reader, Limit, out _, out _));
                Assert.Equal(0, reader.Consumed);
            }
        }
    }

    [Fact]
    public void TryReadTag_TwoTagsAndAPartialThird_ReadsTwoAndStopsAtTheThird()
    {
        var audio = Write(o => FlvTag.WriteTag(o, FlvTagType.Audio, 0x01020305, Hex("af01 2110")));
        var stream = s_tag.Concat(audio).Concat(s_tag[..20]).ToArray();
        var reader = new SequenceReader<byte>(TestSequence.Split(stream, 4));

        Assert.True(FlvTag.TryReadTag(ref reader, Limit, out var first, out _));
        Assert.True(FlvTag.TryReadTag(ref reader, Limit, out var second, out var secondBody));
        var consumed = reader.Consumed;
        Assert.False(FlvTag.TryReadTag(ref reader, Limit, out _, out _));

        Assert.Equal(FlvTagType.Video, first.Type);
        Assert.Equal(new FlvTagHeader(FlvTagType.Audio, 4, 0x01020305), second);
        Assert.Equal(Hex("af01 2110"), secondBody.ToArray());
        Assert.Equal(s_tag.Length + audio.Length, consumed);
        Assert.Equal(consumed, reader.Consumed);
    }

    [Fact]
    public void TryReadTag_EmptyBody_Reads()
    {
        var tag = Write(o => FlvTag.WriteTag(o, FlvTagType.Script, 7, []));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(tag));

        Assert.True(FlvTag.TryReadTag(ref reader, Limit, out var header, out var body));

        Assert.Equal(new FlvTagHeader(FlvTagType.Script, 0, 7), header);
        Assert.True(body.IsEmpty);
        Assert.Equal(15, reader.Consumed);
    }

    [Fact]
    public void TryReadTag_TimestampExtendedByte_ReadsUnsigned32Bits()
    {
        var tag = Hex("08 000001 abcdef ff 000000  af  0000000c");
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(tag));

        Assert.True(FlvTag.TryReadTag(ref reader, Limit, out var header, out _));

        Assert.Equal(0xFFABCDEFL, header.TimestampMs);
    }

    [Fact]
    public void TryReadTag_DataSizeAtLimit_Reads()
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(s_tag));

        Assert.True(FlvTag.TryReadTag(ref reader, maxDataSize: 11, out _, out _));
    }

    [Fact]
    public void TryReadTag_DataSizeAboveLimit_ThrowsDataSizeTooLarge()
    {
        var ex = Assert.Throws<FlvFormatException>(() => Read(s_tag, maxDataSize: 10));

        Assert.Equal(FlvFormatError.DataSizeTooLarge, ex.Reason);
    }

    [Fact]
    public void TryReadTag_OversizedDeclaredInFirstFourBytes_ThrowsBeforeTheRestArrives()
    {
        // A 16 MiB video tag announced by a peer that has sent only 4 bytes.
        var ex = Assert.Throws<FlvFormatException>(() => Read(Hex("09 ffffff"), maxDataSize: Limit));

        Assert.Equal(FlvFormatError.DataSizeTooLarge, ex.Reason);
    }

    [Theory]
    [InlineData("0a")]                     // type 10
    [InlineData("00")]
    [InlineData("13")]                     // type 19
    [InlineData("48")]                     // audio with a reserved bit set
    [InlineData("89")]                     // video with a reserved bit set
    public void TryReadTag_UnknownType_ThrowsUnknownTagType(string hex)
    {
        var ex = Assert.Throws<FlvFormatException>(() => Read(Hex(hex), Limit));

        Assert.Equal(FlvFormatError.UnknownTagType, ex.Reason);
    }

    [Fact]
    public void TryReadTag_FilterBitSet_ThrowsEncryptedTag()
    {
        var tag = (byte[])s_tag.Clone();
        tag[0] |= 0x20;

        var ex = Assert.Throws<FlvFormatException>(() => Read(tag, Limit));

        Assert.Equal(FlvFormatError.EncryptedTag, ex.Reason);
    }

    [Fact]
    public void TryReadTag_NegativeLimit_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Read(s_tag, -1));
    }

    private static bool Read(byte[] bytes, int maxDataSize)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        return FlvTag.TryReadTag(ref reader, maxDataSize, out _, out _);
    }
}
