using LiveRelay.Codecs.H265;

namespace LiveRelay.Codecs.Tests.H265;

public class HevcDecoderConfigurationTests
{
    public static TheoryData<string, string> Streams => new()
    {
        // vector suffix, codec string
        { "360Main", "hvc1.1.6.L63.90" },
        { "180Main10", "hvc1.2.4.L60.90" },
        { "240Rext444", "hvc1.4.10.L60.9E.8" },
        { "288SubLayers", "hvc1.1.6.L60.90" },
        { "1080Hrd", "hvc1.1.6.L120.90" },
    };

    [Theory]
    [MemberData(nameof(Streams))]
    public void Build_FfmpegParameterSets_MatchesFfmpegHvcCByteForByte(string stream, string codecString)
    {
        _ = codecString;
        var (vps, sps, pps, hvcC) = Vectors(stream);

        var record = HevcDecoderConfiguration.Build(vps, sps, pps);

        Assert.Equal(Convert.ToHexString(hvcC), Convert.ToHexString(record));
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void TryParse_FfmpegHvcC_ReturnsParameterSetsAndCodecString(string stream, string codecString)
    {
        var (vps, sps, pps, hvcC) = Vectors(stream);

        Assert.True(HevcDecoderConfiguration.TryParse(hvcC, out var config));

        Assert.NotNull(config);
        Assert.Equal(codecString, config.CodecString);
        Assert.Equal(4, config.NalUnitLengthSize);
        Assert.Equal(vps, Assert.Single(config.Vps).ToArray());
        Assert.Equal(sps, Assert.Single(config.Sps).ToArray());
        Assert.Equal(pps, Assert.Single(config.Pps).ToArray());
    }

    [Fact]
    public void TryParse_Main10Record_ReturnsSamplingAndProfileFields()
    {
        Assert.True(HevcDecoderConfiguration.TryParse(H265Vectors.HvcC180Main10, out var config));

        Assert.Equal(new H265ProfileTierLevel(0, false, 2, 0x2000_0000, 0x9000_0000_0000, 60), config!.ProfileTierLevel);
        Assert.Equal(1, config.ChromaFormatIdc);
        Assert.Equal(10, config.BitDepthLuma);
        Assert.Equal(10, config.BitDepthChroma);
        Assert.Equal(0, config.MinSpatialSegmentationIdc);
        Assert.Equal(0, config.ParallelismType);
        Assert.Equal(1, config.NumTemporalLayers);
        Assert.True(config.TemporalIdNested);
    }

    [Fact]
    public void TryParse_SubLayerRecord_ReturnsTwoTemporalLayersNotNested()
    {
        Assert.True(HevcDecoderConfiguration.TryParse(H265Vectors.HvcC288SubLayers, out var config));

        Assert.Equal(2, config!.NumTemporalLayers);
        Assert.False(config.TemporalIdNested);
    }

    [Fact]
    public void Build_ThenTryParse_RoundTripsEveryField()
    {
        var record = HevcDecoderConfiguration.Build(H265Vectors.Vps240Rext444, H265Vectors.Sps240Rext444, H265Vectors.Pps240Rext444);

        Assert.True(HevcDecoderConfiguration.TryParse(record, out var config));

        Assert.Equal(new H265ProfileTierLevel(0, false, 4, 0x0800_0000, 0x9E08_0000_0000, 60), config!.ProfileTierLevel);
        Assert.Equal((3, 8, 8), (config.ChromaFormatIdc, config.BitDepthLuma, config.BitDepthChroma));
        Assert.Equal(H265Vectors.Vps240Rext444, config.Vps[0].ToArray());
        Assert.Equal(H265Vectors.Sps240Rext444, config.Sps[0].ToArray());
        Assert.Equal(H265Vectors.Pps240Rext444, config.Pps[0].ToArray());
        Assert.Equal("hvc1.4.10.L60.9E.8", config.CodecString);
    }

    [Fact]
    public void Build_ParameterSetArrays_AreMarkedComplete()
    {
        var record = HevcDecoderConfiguration.Build(H265Vectors.Vps360Main, H265Vectors.Sps360Main, H265Vectors.Pps360Main);

        Assert.Equal(3, record[22]); // numOfArrays
        var offset = 23;
        foreach (var type in new[] { 32, 33, 34 })
        {
            Assert.Equal(0x80 | type, record[offset]); // array_completeness 1, reserved 0, NAL_unit_type
            Assert.Equal(1, record[offset + 1] << 8 | record[offset + 2]);
            offset += 5 + (record[offset + 3] << 8 | record[offset + 4]);
        }

        Assert.Equal(record.Length, offset);
        Assert.Equal(3, record[21] & 0x03); // lengthSizeMinusOne
    }

    [Fact]
    public void Build_SpsWithBitstreamRestriction_TakesMinSpatialSegmentationAndWavefrontsFromPps()
    {
        // The x265 PPS has entropy_coding_sync_enabled_flag 1 and tiles_enabled_flag 0: parallelismType 3.
        var sps = new H265SpsBuilder { MinSpatialSegmentationIdc = 300 }.Build();

        var record = HevcDecoderConfiguration.Build(H265Vectors.Vps360Main, sps, H265Vectors.Pps360Main);

        Assert.True(HevcDecoderConfiguration.TryParse(record, out var config));
        Assert.Equal(300, config!.MinSpatialSegmentationIdc);
        Assert.Equal(3, config.ParallelismType);
        Assert.Equal(0xF1, record[13]); // reserved '1111' | 300 >> 8
        Assert.Equal(300 & 0xFF, record[14]);
    }

    [Fact]
    public void Build_SubLayersOnlyInVps_TakesTheLargerCount()
    {
        var sps = new H265SpsBuilder().Build(); // one sub-layer, sps_temporal_id_nesting_flag 1

        var record = HevcDecoderConfiguration.Build(H265Vectors.Vps288SubLayers, sps, H265Vectors.Pps360Main);

        Assert.True(HevcDecoderConfiguration.TryParse(record, out var config));
        Assert.Equal(2, config!.NumTemporalLayers);
        Assert.True(config.TemporalIdNested); // from the SPS, not the VPS
    }

    [Fact]
    public void Build_WrongNalUnits_Throw()
    {
        Assert.Throws<ArgumentException>(() => HevcDecoderConfiguration.Build(H265Vectors.Sps360Main, H265Vectors.Sps360Main, H265Vectors.Pps360Main));
        Assert.Throws<ArgumentException>(() => HevcDecoderConfiguration.Build(H265Vectors.Vps360Main, H265Vectors.Vps360Main, H265Vectors.Pps360Main));
        Assert.Throws<ArgumentException>(() => HevcDecoderConfiguration.Build(H265Vectors.Vps360Main, H265Vectors.Sps360Main, H265Vectors.Sps360Main));
        Assert.Throws<ArgumentException>(() => HevcDecoderConfiguration.Build(H265Vectors.Vps360Main, H265Vectors.Sps360Main.AsSpan(0, 20), H265Vectors.Pps360Main));
    }

    [Theory]
    [InlineData(nameof(H265Vectors.HvcC360Main))]
    [InlineData(nameof(H265Vectors.HvcC288SubLayers))]
    public void TryParse_EveryTruncatedPrefix_ReturnsFalse(string vector)
    {
        var record = H265Vectors.Get(vector);
        for (var length = 0; length < record.Length; length++)
        {
            Assert.False(HevcDecoderConfiguration.TryParse(record.AsSpan(0, length), out var config), $"prefix of {length} bytes parsed");
            Assert.Null(config);
        }
    }

    [Fact]
    public void TryParse_ParameterSets_AreCopiesNotViewsOfTheInput()
    {
        var record = (byte[])H265Vectors.HvcC360Main.Clone();
        Assert.True(HevcDecoderConfiguration.TryParse(record, out var config));

        Array.Clear(record);

        Assert.Equal(H265Vectors.Sps360Main, config!.Sps[0].ToArray());
    }

    [Theory]
    [InlineData(0xFC, 1)]
    [InlineData(0xFD, 2)]
    [InlineData(0xFF, 4)]
    public void TryParse_LengthSizeMinusOne_SetsNalUnitLengthSize(byte lengthByte, int expected)
    {
        var record = (byte[])H265Vectors.HvcC360Main.Clone();
        record[21] = (byte)(record[21] & 0xFC | lengthByte & 0x03);

        Assert.True(HevcDecoderConfiguration.TryParse(record, out var config));
        Assert.Equal(expected, config!.NalUnitLengthSize);
    }

    [Fact]
    public void TryParse_LengthSizeThree_ReturnsFalse()
    {
        var record = (byte[])H265Vectors.HvcC360Main.Clone();
        record[21] = (byte)(record[21] & 0xFC | 0x02);

        Assert.False(HevcDecoderConfiguration.TryParse(record, out _));
    }

    [Fact]
    public void TryParse_VersionNotOne_ReturnsFalse()
    {
        var record = (byte[])H265Vectors.HvcC360Main.Clone();
        record[0] = 0;

        Assert.False(HevcDecoderConfiguration.TryParse(record, out _));
    }

    [Fact]
    public void TryParse_SpsArrayHoldingPps_ReturnsFalse()
    {
        var record = (byte[])H265Vectors.HvcC360Main.Clone();
        var spsArray = 23 + 5 + H265Vectors.Vps360Main.Length;
        Assert.Equal(0xA1, record[spsArray]);
        record[spsArray] = 0xA2; // claims PPS, holds an SPS

        Assert.False(HevcDecoderConfiguration.TryParse(record, out _));
    }

    [Fact]
    public void TryParse_ZeroLengthNalUnit_ReturnsFalse()
    {
        byte[] record = [.. H265Vectors.HvcC360Main[..22], 1, 0xA0, 0x00, 0x01, 0x00, 0x00];

        Assert.False(HevcDecoderConfiguration.TryParse(record, out _));
    }

    [Fact]
    public void TryParse_SeiArray_IsSkipped()
    {
        byte[] sei = [0x4E, 0x01, 0x05, 0x01, 0xAA, 0x80];
        byte[] record = [.. H265Vectors.HvcC360Main[..22], 4, 0x27, 0x00, 0x01, 0x00, (byte)sei.Length, .. sei, .. H265Vectors.HvcC360Main[23..]];

        Assert.True(HevcDecoderConfiguration.TryParse(record, out var config));

        Assert.Equal(H265Vectors.Vps360Main, Assert.Single(config!.Vps).ToArray());
        Assert.Equal(H265Vectors.Sps360Main, Assert.Single(config.Sps).ToArray());
        Assert.Equal(H265Vectors.Pps360Main, Assert.Single(config.Pps).ToArray());
    }

    [Fact]
    public void TryParse_NoArrays_ReturnsEmptyLists()
    {
        byte[] record = [.. H265Vectors.HvcC360Main[..22], 0];

        Assert.True(HevcDecoderConfiguration.TryParse(record, out var config));

        Assert.Empty(config!.Vps);
        Assert.Empty(config.Sps);
        Assert.Empty(config.Pps);
        Assert.Equal("hvc1.1.6.L63.90", config.CodecString);
    }

    private static (byte[] Vps, byte[] Sps, byte[] Pps, byte[] HvcC) Vectors(string stream) =>
        (H265Vectors.Get("Vps" + stream), H265Vectors.Get("Sps" + stream), H265Vectors.Get("Pps" + stream), H265Vectors.Get("HvcC" + stream));
}
