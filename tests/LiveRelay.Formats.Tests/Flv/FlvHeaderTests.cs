using LiveRelay.Formats.Flv;
using static LiveRelay.Formats.Tests.Amf.AmfTestBytes;

namespace LiveRelay.Formats.Tests.Flv;

public class FlvHeaderTests
{
    [Theory]
    [InlineData(true, true, "464c56 01 05 00000009 00000000")]
    [InlineData(true, false, "464c56 01 04 00000009 00000000")]
    [InlineData(false, true, "464c56 01 01 00000009 00000000")]
    [InlineData(false, false, "464c56 01 00 00000009 00000000")]
    public void Write_Flags_WritesHeaderAndFirstTagSize(bool hasAudio, bool hasVideo, string expected)
    {
        var buffer = new byte[FlvHeader.LengthWithFirstTagSize];

        FlvHeader.Write(buffer, hasAudio, hasVideo);

        Assert.Equal(Hex(expected), buffer);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void TryRead_WrittenHeader_ReturnsFlags(bool hasAudio, bool hasVideo)
    {
        var buffer = new byte[FlvHeader.LengthWithFirstTagSize];
        FlvHeader.Write(buffer, hasAudio, hasVideo);

        Assert.True(FlvHeader.TryRead(buffer, out var audio, out var video, out var dataOffset));

        Assert.Equal(hasAudio, audio);
        Assert.Equal(hasVideo, video);
        Assert.Equal(FlvHeader.Length, dataOffset);
    }

    [Fact]
    public void TryRead_EveryTruncatedPrefix_ReturnsFalse()
    {
        var bytes = Hex("464c56 01 05 00000009");

        for (var length = 0; length < FlvHeader.Length; length++)
        {
            Assert.False(FlvHeader.TryRead(bytes.AsSpan(0, length), out _, out _));
        }

        Assert.True(FlvHeader.TryRead(bytes, out var audio, out var video));
        Assert.True(audio);
        Assert.True(video);
    }

    [Fact]
    public void TryRead_LargerDataOffset_ReturnsIt()
    {
        Assert.True(FlvHeader.TryRead(Hex("464c56 01 01 00000010"), out _, out _, out var dataOffset));

        Assert.Equal(16, dataOffset);
    }

    [Theory]
    [InlineData("474554 20 2f 00000000", FlvFormatError.InvalidSignature)] // "GET /"
    [InlineData("464c56 02 05 00000009", FlvFormatError.UnsupportedVersion)]
    [InlineData("464c56 01 05 00000008", FlvFormatError.InvalidDataOffset)]
    [InlineData("464c56 01 05 ffffffff", FlvFormatError.InvalidDataOffset)]
    public void TryRead_NotAnFlvHeader_Throws(string hex, FlvFormatError reason)
    {
        var bytes = Hex(hex);

        var ex = Assert.Throws<FlvFormatException>(() => FlvHeader.TryRead(bytes, out _, out _));

        Assert.Equal(reason, ex.Reason);
    }

    [Fact]
    public void TryRead_WrongSignatureInFirstBytes_ThrowsWithoutWaitingForNine()
    {
        var ex = Assert.Throws<FlvFormatException>(() => FlvHeader.TryRead("FX"u8, out _, out _));

        Assert.Equal(FlvFormatError.InvalidSignature, ex.Reason);
    }

    [Fact]
    public void Write_DestinationTooSmall_ThrowsArgumentException()
    {
        Assert.ThrowsAny<ArgumentException>(() => FlvHeader.Write(new byte[12], true, true));
    }
}
