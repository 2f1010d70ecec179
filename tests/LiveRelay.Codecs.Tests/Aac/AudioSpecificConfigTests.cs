using LiveRelay.Codecs.Aac;

namespace LiveRelay.Codecs.Tests.Aac;

public class AudioSpecificConfigTests
{
    [Fact]
    public void TryParse_FfmpegEsdsConfig_ReturnsLcMono44100()
    {
        // DecoderSpecificInfo of an ffmpeg 5.1 "aac" encode of mono 44.1 kHz, with its trailing
        // backward-compatible SBR sync extension (0x2b7) that the parser does not need.
        var asc = Convert.FromHexString("120856e500");

        Assert.True(AudioSpecificConfig.TryParse(asc, out var config));

        Assert.Equal(new AudioSpecificConfig(2, 4, 44100, 1), config);
        Assert.Equal("mp4a.40.2", config.CodecString);
        Assert.Equal(1, config.Channels);
    }

    [Theory]
    [InlineData("1190", 2, 3, 48000, 2)]
    [InlineData("1210", 2, 4, 44100, 2)]
    [InlineData("1188", 2, 3, 48000, 1)]
    [InlineData("0a10", 1, 4, 44100, 2)]
    [InlineData("13b0", 2, 7, 22050, 6)]
    [InlineData("11b8", 2, 3, 48000, 7)]
    public void TryParse_TwoByteConfigs_ReturnsFields(string hex, int objectType, int index, int rate, int channelConfiguration)
    {
        Assert.True(AudioSpecificConfig.TryParse(Convert.FromHexString(hex), out var config));

        Assert.Equal(new AudioSpecificConfig(objectType, index, rate, channelConfiguration), config);
    }

    [Fact]
    public void TryParse_ChannelConfiguration7_Reports8Channels()
    {
        Assert.True(AudioSpecificConfig.TryParse([0x11, 0xB8], out var config));

        Assert.Equal(8, config.Channels);
    }

    [Fact]
    public void TryParse_ExplicitFrequency_ReadsTwentyFourBitRate()
    {
        // 00010 1111 000000000101110111000000 0010 000 → LC, index 15, 24000 Hz, stereo
        var bytes = new TestBitWriter().Bits(2, 5).Bits(15, 4).Bits(24000, 24).Bits(2, 4).Bits(0, 3).ToBytes();

        Assert.True(AudioSpecificConfig.TryParse(bytes, out var config));

        Assert.Equal(new AudioSpecificConfig(2, 15, 24000, 2), config);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(AudioSpecificConfig.TryParse(bytes.AsSpan(0, length), out _), $"prefix of {length} bytes parsed");
        }
    }

    [Fact]
    public void TryParse_EscapedObjectType_ReadsSixBitExtension()
    {
        // ER AAC ELD (39) = 31 escape + 7; 48 kHz; stereo.
        var bytes = new TestBitWriter().Bits(31, 5).Bits(7, 6).Bits(3, 4).Bits(2, 4).Bits(0, 5).ToBytes();

        Assert.True(AudioSpecificConfig.TryParse(bytes, out var config));

        Assert.Equal(new AudioSpecificConfig(39, 3, 48000, 2), config);
        Assert.Equal("mp4a.40.39", config.CodecString);
    }

    [Fact]
    public void TryParse_ExplicitSbr_ReturnsCoreRateAndObjectType5()
    {
        // HE-AAC explicit hierarchical signalling: SBR, core 24 kHz stereo, extension 48 kHz, core AAC LC.
        var bytes = Convert.FromHexString("2b118800");

        Assert.True(AudioSpecificConfig.TryParse(bytes, out var config));

        Assert.Equal(new AudioSpecificConfig(5, 6, 24000, 2), config);
        Assert.Equal("mp4a.40.5", config.CodecString);
        for (var length = 0; length < 3; length++)
        {
            Assert.False(AudioSpecificConfig.TryParse(bytes.AsSpan(0, length), out _), $"prefix of {length} bytes parsed");
        }
    }

    [Theory]
    [InlineData("1210")]
    [InlineData("1190")]
    public void TryParse_EveryTruncatedPrefix_ReturnsFalse(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(AudioSpecificConfig.TryParse(bytes.AsSpan(0, length), out var config), $"prefix of {length} bytes parsed");
            Assert.Equal(default, config);
        }
    }

    [Theory]
    [InlineData("0210")] // object type 0
    [InlineData("16a0")] // frequency index 13 (reserved)
    [InlineData("17a0")] // frequency index 14 (reserved)
    [InlineData("1780000010")] // explicit frequency 0
    public void TryParse_InvalidFields_ReturnsFalse(string hex)
    {
        Assert.False(AudioSpecificConfig.TryParse(Convert.FromHexString(hex), out _));
    }

    [Theory]
    [InlineData(2, 44100, 2, "1210")]
    [InlineData(2, 48000, 2, "1190")]
    [InlineData(2, 48000, 1, "1188")]
    [InlineData(2, 22050, 6, "13b0")]
    [InlineData(2, 48000, 8, "11b8")]
    [InlineData(5, 24000, 2, "2b10")]
    public void Build_TableRate_WritesTwoBytes(int objectType, int rate, int channels, string expected)
    {
        Assert.Equal(expected, Convert.ToHexString(AudioSpecificConfig.Build(objectType, rate, channels)).ToLowerInvariant());
    }

    [Fact]
    public void Build_RateOutsideTable_WritesExplicitFrequencyAndRoundTrips()
    {
        var bytes = AudioSpecificConfig.Build(2, 37800, 2);

        Assert.Equal(5, bytes.Length); // 5 + 4 + 24 + 4 + 3 = 40 bits
        Assert.True(AudioSpecificConfig.TryParse(bytes, out var config));
        Assert.Equal(new AudioSpecificConfig(2, 15, 37800, 2), config);
    }

    [Fact]
    public void Build_EscapedObjectType_RoundTrips()
    {
        var bytes = AudioSpecificConfig.Build(42, 48000, 2);

        Assert.True(AudioSpecificConfig.TryParse(bytes, out var config));
        Assert.Equal(new AudioSpecificConfig(42, 3, 48000, 2), config);
    }

    [Theory]
    [InlineData(0, 48000, 2)]
    [InlineData(31, 48000, 2)]
    [InlineData(96, 48000, 2)]
    [InlineData(2, 0, 2)]
    [InlineData(2, 0x1000000, 2)]
    [InlineData(2, 48000, 0)]
    [InlineData(2, 48000, 7)]
    [InlineData(2, 48000, 9)]
    public void Build_OutOfRange_Throws(int objectType, int rate, int channels)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioSpecificConfig.Build(objectType, rate, channels));
    }
}
