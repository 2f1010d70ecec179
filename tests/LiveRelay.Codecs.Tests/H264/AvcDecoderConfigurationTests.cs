using LiveRelay.Codecs.H264;

namespace LiveRelay.Codecs.Tests.H264;

public class AvcDecoderConfigurationTests
{
    [Fact]
    public void TryParse_FfmpegHighProfileAvcC_ReturnsFieldsAndParameterSets()
    {
        Assert.True(AvcDecoderConfiguration.TryParse(H264Vectors.AvcC720High, out var config));

        Assert.NotNull(config);
        Assert.Equal(0x64, config.ProfileIndication);
        Assert.Equal(0x00, config.ProfileCompatibility);
        Assert.Equal(0x1F, config.LevelIndication);
        Assert.Equal(4, config.NalUnitLengthSize);
        Assert.Equal(H264Vectors.Sps720High, Assert.Single(config.Sps).ToArray());
        Assert.Equal(H264Vectors.Pps720High, Assert.Single(config.Pps).ToArray());
        Assert.Equal("avc1.64001f", config.CodecString);
    }

    [Fact]
    public void TryParse_FfmpegBaselineAvcC_ReturnsCodecString()
    {
        Assert.True(AvcDecoderConfiguration.TryParse(H264Vectors.AvcC360Baseline, out var config));

        Assert.Equal("avc1.42c01e", config!.CodecString);
        Assert.Equal(H264Vectors.Sps360Baseline, Assert.Single(config.Sps).ToArray());
        Assert.Equal(H264Vectors.Pps360Baseline, Assert.Single(config.Pps).ToArray());
    }

    [Fact]
    public void TryParse_ParameterSets_AreCopiesNotViewsOfTheInput()
    {
        var record = (byte[])H264Vectors.AvcC360Baseline.Clone();
        Assert.True(AvcDecoderConfiguration.TryParse(record, out var config));

        Array.Clear(record);

        Assert.Equal(H264Vectors.Sps360Baseline, config!.Sps[0].ToArray());
    }

    [Theory]
    [InlineData(nameof(H264Vectors.AvcC720High), 4)]
    [InlineData(nameof(H264Vectors.AvcC480High444), 4)]
    [InlineData(nameof(H264Vectors.AvcC360Baseline), 0)]
    public void TryParse_EveryTruncatedPrefix_ReturnsFalse(string vector, int extensionLength)
    {
        var record = (byte[])typeof(H264Vectors).GetField(vector)!.GetValue(null)!;
        var fullLength = record.Length - extensionLength; // the trailing high-profile extension is not required
        for (var length = 0; length < fullLength; length++)
        {
            Assert.False(AvcDecoderConfiguration.TryParse(record.AsSpan(0, length), out var config), $"prefix of {length} bytes parsed");
            Assert.Null(config);
        }
    }

    [Theory]
    [InlineData(0xFC, 1)]
    [InlineData(0xFD, 2)]
    [InlineData(0xFF, 4)]
    public void TryParse_LengthSizeMinusOne_SetsNalUnitLengthSize(byte lengthByte, int expected)
    {
        var record = (byte[])H264Vectors.AvcC360Baseline.Clone();
        record[4] = lengthByte;

        Assert.True(AvcDecoderConfiguration.TryParse(record, out var config));
        Assert.Equal(expected, config!.NalUnitLengthSize);
    }

    [Fact]
    public void TryParse_LengthSizeThree_ReturnsFalse()
    {
        var record = (byte[])H264Vectors.AvcC360Baseline.Clone();
        record[4] = 0xFE;

        Assert.False(AvcDecoderConfiguration.TryParse(record, out _));
    }

    [Fact]
    public void TryParse_WrongVersion_ReturnsFalse()
    {
        var record = (byte[])H264Vectors.AvcC360Baseline.Clone();
        record[0] = 2;

        Assert.False(AvcDecoderConfiguration.TryParse(record, out _));
    }

    [Fact]
    public void TryParse_SpsLengthPastEnd_ReturnsFalse()
    {
        var record = (byte[])H264Vectors.AvcC360Baseline.Clone();
        record[6] = 0xFF; // sequenceParameterSetLength = 0xFF19

        Assert.False(AvcDecoderConfiguration.TryParse(record, out _));
    }

    [Fact]
    public void TryParse_SpsCountLargerThanPresent_ReturnsFalse()
    {
        var record = (byte[])H264Vectors.AvcC360Baseline.Clone();
        record[5] = 0xE2; // claims two SPS; the PPS count byte is read as a length

        Assert.False(AvcDecoderConfiguration.TryParse(record, out _));
    }

    [Fact]
    public void TryParse_ZeroLengthParameterSet_ReturnsFalse()
    {
        byte[] record = [0x01, 0x42, 0xC0, 0x1E, 0xFF, 0xE1, 0x00, 0x00, 0x00];

        Assert.False(AvcDecoderConfiguration.TryParse(record, out _));
    }

    [Fact]
    public void TryParse_TwoSpsTwoPps_ReturnsAll()
    {
        byte[] record =
        [
            0x01, 0x64, 0x00, 0x28, 0xFF, 0xE2,
            0x00, 0x02, 0x67, 0xAA,
            0x00, 0x03, 0x67, 0xBB, 0xCC,
            0x02,
            0x00, 0x01, 0x68,
            0x00, 0x02, 0x68, 0xDD,
        ];

        Assert.True(AvcDecoderConfiguration.TryParse(record, out var config));

        Assert.Equal([[0x67, 0xAA], [0x67, 0xBB, 0xCC]], config!.Sps.Select(s => s.ToArray()));
        Assert.Equal([[0x68], [0x68, 0xDD]], config.Pps.Select(s => s.ToArray()));
    }

    [Fact]
    public void TryParse_NoParameterSets_ReturnsEmptyLists()
    {
        byte[] record = [0x01, 0x64, 0x00, 0x28, 0xFF, 0xE0, 0x00];

        Assert.True(AvcDecoderConfiguration.TryParse(record, out var config));
        Assert.Empty(config!.Sps);
        Assert.Empty(config.Pps);
    }

    [Fact]
    public void Build_HighProfileSpsAndPps_MatchesFfmpegAvcC()
    {
        var record = AvcDecoderConfiguration.Build(H264Vectors.Sps720High, H264Vectors.Pps720High);

        Assert.Equal(Convert.ToHexString(H264Vectors.AvcC720High), Convert.ToHexString(record));
    }

    [Fact]
    public void Build_BaselineSpsAndPps_MatchesFfmpegAvcC()
    {
        var record = AvcDecoderConfiguration.Build(H264Vectors.Sps360Baseline, H264Vectors.Pps360Baseline);

        Assert.Equal(Convert.ToHexString(H264Vectors.AvcC360Baseline), Convert.ToHexString(record));
    }

    [Fact]
    public void Build_High444_MatchesFfmpegAvcCWithChromaFormat3()
    {
        var record = AvcDecoderConfiguration.Build(H264Vectors.Sps480High444, H264Vectors.Pps480High444);

        Assert.Equal(Convert.ToHexString(H264Vectors.AvcC480High444), Convert.ToHexString(record));
    }

    [Fact]
    public void Build_UnparsableHighProfileSps_OmitsExtension()
    {
        byte[] sps = [0x67, 0x64, 0x00, 0x1F];

        var record = AvcDecoderConfiguration.Build(sps, H264Vectors.Pps720High);

        Assert.Equal(6 + 2 + sps.Length + 1 + 2 + H264Vectors.Pps720High.Length, record.Length);
        Assert.True(AvcDecoderConfiguration.TryParse(record, out var config));
        Assert.Equal("avc1.64001f", config!.CodecString);
    }

    [Fact]
    public void Build_ThenTryParse_RoundTrips()
    {
        var record = AvcDecoderConfiguration.Build(H264Vectors.Sps1080High, H264Vectors.Pps720High);

        Assert.True(AvcDecoderConfiguration.TryParse(record, out var config));
        Assert.Equal(4, config!.NalUnitLengthSize);
        Assert.Equal(H264Vectors.Sps1080High, config.Sps[0].ToArray());
        Assert.Equal(H264Vectors.Pps720High, config.Pps[0].ToArray());
        Assert.Equal("avc1.640028", config.CodecString);
    }

    [Fact]
    public void Build_NotAnSps_Throws()
    {
        Assert.Throws<ArgumentException>(() => AvcDecoderConfiguration.Build(H264Vectors.Pps720High, H264Vectors.Pps720High));
        Assert.Throws<ArgumentException>(() => AvcDecoderConfiguration.Build([0x67, 0x64], H264Vectors.Pps720High));
    }

    [Fact]
    public void Build_NotAPps_Throws()
    {
        Assert.Throws<ArgumentException>(() => AvcDecoderConfiguration.Build(H264Vectors.Sps720High, H264Vectors.Sps720High));
        Assert.Throws<ArgumentException>(() => AvcDecoderConfiguration.Build(H264Vectors.Sps720High, []));
    }
}
