using LiveRelay.Codecs.Aac;

namespace LiveRelay.Codecs.Tests.Aac;

public class AdtsTests
{
    // First header of `ffmpeg -f lavfi -i sine=r=44100 -c:a aac -f adts`: LC, 44.1 kHz, mono, 265-byte frame.
    private static readonly byte[] FfmpegHeader = Convert.FromHexString("fff15040213ffc");

    [Fact]
    public void TryParseHeader_FfmpegHeader_ReturnsFields()
    {
        Assert.True(Adts.TryParseHeader(FfmpegHeader, out var header));

        Assert.Equal(new AdtsHeader(2, 4, 44100, 1, 265, 7), header);
        Assert.Equal(258, header.PayloadLength);
        Assert.Equal(new AudioSpecificConfig(2, 4, 44100, 1), header.ToAudioSpecificConfig());
    }

    [Fact]
    public void TryParseHeader_EveryTruncatedPrefix_ReturnsFalse()
    {
        for (var length = 0; length < FfmpegHeader.Length; length++)
        {
            Assert.False(Adts.TryParseHeader(FfmpegHeader.AsSpan(0, length), out var header), $"prefix of {length} bytes parsed");
            Assert.Equal(default, header);
        }
    }

    [Fact]
    public void TryParseHeader_WithCrc_ReportsNineByteHeader()
    {
        byte[] data = [0xFF, 0xF0, 0x50, 0x40, 0x21, 0x3F, 0xFC, 0x12, 0x34];

        Assert.True(Adts.TryParseHeader(data, out var header));
        Assert.Equal(9, header.HeaderLength);
        Assert.Equal(256, header.PayloadLength);
        Assert.False(Adts.TryParseHeader(data.AsSpan(0, 8), out _));
    }

    [Fact]
    public void TryParseHeader_Mpeg2Id_IsAccepted()
    {
        byte[] data = [0xFF, 0xF9, 0x50, 0x40, 0x21, 0x3F, 0xFC];

        Assert.True(Adts.TryParseHeader(data, out var header));
        Assert.Equal(265, header.FrameLength);
    }

    [Theory]
    [InlineData("fef15040213ffc")] // bad syncword
    [InlineData("fff35040213ffc")] // layer 01
    [InlineData("fff17440213ffc")] // frequency index 13
    [InlineData("fff17c40213ffc")] // frequency index 15
    [InlineData("fff1504000dffc")] // frame length 6 < header
    public void TryParseHeader_InvalidHeader_ReturnsFalse(string hex)
    {
        Assert.False(Adts.TryParseHeader(Convert.FromHexString(hex), out _));
    }

    [Fact]
    public void WriteHeader_LcMono44100_MatchesFfmpegHeader()
    {
        var header = new byte[Adts.HeaderLength];

        Adts.WriteHeader(header, new AudioSpecificConfig(2, 4, 44100, 1), 258);

        Assert.Equal(Convert.ToHexString(FfmpegHeader), Convert.ToHexString(header));
    }

    [Theory]
    [InlineData(2, 3, 2, 0)]
    [InlineData(2, 3, 2, 8184)]
    [InlineData(1, 0, 7, 1000)]
    [InlineData(4, 12, 6, 371)]
    public void WriteHeader_ThenTryParseHeader_RoundTrips(int objectType, int index, int channels, int rawLength)
    {
        var header = new byte[Adts.HeaderLength];
        var rate = new[] { 96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350 }[index];

        Adts.WriteHeader(header, new AudioSpecificConfig(objectType, index, rate, channels), rawLength);

        Assert.True(Adts.TryParseHeader(header, out var parsed));
        Assert.Equal(new AdtsHeader(objectType, index, rate, channels, rawLength + 7, 7), parsed);
    }

    [Theory]
    [InlineData(AudioSpecificConfig.Sbr)]
    [InlineData(AudioSpecificConfig.Ps)]
    public void WriteHeader_HeAac_WritesLcProfile(int objectType)
    {
        var header = new byte[Adts.HeaderLength];

        Adts.WriteHeader(header, new AudioSpecificConfig(objectType, 6, 24000, 2), 100);

        Assert.True(Adts.TryParseHeader(header, out var parsed));
        Assert.Equal(2, parsed.ObjectType);
        Assert.Equal(24000, parsed.SampleRate);
    }

    [Fact]
    public void WriteHeader_FrameTooLong_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Adts.WriteHeader(new byte[7], new AudioSpecificConfig(2, 3, 48000, 2), 8185));
    }

    [Fact]
    public void WriteHeader_DestinationTooShort_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Adts.WriteHeader(new byte[6], new AudioSpecificConfig(2, 3, 48000, 2), 10));
    }

    [Theory]
    [InlineData(39, 3)]
    [InlineData(2, 15)]
    public void WriteHeader_NotExpressibleInAdts_Throws(int objectType, int index)
    {
        Assert.Throws<ArgumentException>(() => Adts.WriteHeader(new byte[7], new AudioSpecificConfig(objectType, index, 48000, 2), 10));
    }
}
