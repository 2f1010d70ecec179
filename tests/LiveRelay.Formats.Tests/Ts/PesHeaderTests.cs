using LiveRelay.Formats.Ts;

namespace LiveRelay.Formats.Tests.Ts;

public class PesHeaderTests
{
    // The first video PES header ffmpeg 5.1's mpegts muxer wrote (see TsTestData): stream 0xE0,
    // unbounded, not flagged aligned, PTS 133200 and DTS 126000 (its 1.4 s start offset).
    private static readonly byte[] FfmpegVideoHeader = Convert.FromHexString("000001e0000080c00a31000910a1110007d861");

    [Fact]
    public void TryParse_VideoHeaderWithPtsAndDts_ReturnsTimestamps()
    {
        Assert.True(PesHeader.TryParse(FfmpegVideoHeader, out var header));

        Assert.Equal(new PesHeader(0xE0, 0, 133_200, 126_000, 19, false), header);
    }

    [Fact]
    public void TryParse_EveryTruncatedPrefix_ReturnsFalse()
    {
        for (var length = 0; length < FfmpegVideoHeader.Length; length++)
        {
            Assert.False(PesHeader.TryParse(FfmpegVideoHeader.AsSpan(0, length), out var header), $"prefix of {length} bytes parsed");
            Assert.Equal(default, header);
        }
    }

    [Fact]
    public void TryParse_MarkerBitClear_ReturnsFalse()
    {
        var bytes = (byte[])FfmpegVideoHeader.Clone();
        bytes[13] &= 0xFE;

        Assert.False(PesHeader.TryParse(bytes, out _));
    }

    [Fact]
    public void TryParse_PtsDtsFlags01_ReturnsFalse()
    {
        var bytes = (byte[])FfmpegVideoHeader.Clone();
        bytes[7] = 0x40;

        Assert.False(PesHeader.TryParse(bytes, out _));
    }

    [Fact]
    public void TryParse_HeaderDataLengthShorterThanTimestamps_ReturnsFalse()
    {
        var bytes = (byte[])FfmpegVideoHeader.Clone();
        bytes[8] = 5;

        Assert.False(PesHeader.TryParse(bytes, out _));
    }

    [Fact]
    public void TryParse_WrongStartCode_ReturnsFalse()
    {
        var bytes = (byte[])FfmpegVideoHeader.Clone();
        bytes[2] = 0x02;

        Assert.False(PesHeader.TryParse(bytes, out _));
    }

    [Fact]
    public void TryParse_PaddingStream_ReturnsFalse()
    {
        var bytes = (byte[])FfmpegVideoHeader.Clone();
        bytes[3] = 0xBE;

        Assert.False(PesHeader.TryParse(bytes, out _));
    }

    [Fact]
    public void TryParse_NoTimestamps_ReturnsNulls()
    {
        byte[] bytes = [0x00, 0x00, 0x01, 0xC0, 0x00, 0x05, 0x80, 0x00, 0x02, 0xFF, 0xFF];

        Assert.True(PesHeader.TryParse(bytes, out var header));
        Assert.Null(header.Pts);
        Assert.Null(header.Dts);
        Assert.Equal(11, header.HeaderLength);
        Assert.Equal(5, header.PacketLength);
    }
}
