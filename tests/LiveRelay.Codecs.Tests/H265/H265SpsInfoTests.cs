using LiveRelay.Codecs.H265;

namespace LiveRelay.Codecs.Tests.H265;

public class H265SpsInfoTests
{
    public static TheoryData<string, int, int, int, int, int, int> RealVectors => new()
    {
        // vector, profile, level, width, height, chroma format, bit depth
        { nameof(H265Vectors.Sps360Main), 1, 63, 640, 360, 1, 8 },
        { nameof(H265Vectors.Sps180Main10), 2, 60, 320, 180, 1, 10 },
        { nameof(H265Vectors.Sps240Rext444), 4, 60, 320, 240, 3, 8 },
        { nameof(H265Vectors.Sps288SubLayers), 1, 60, 352, 288, 1, 8 },
        { nameof(H265Vectors.Sps1080Hrd), 1, 120, 1920, 1080, 1, 8 },
    };

    [Theory]
    [MemberData(nameof(RealVectors))]
    public void TryParse_FfmpegSps_ReturnsFields(string vector, int profile, int level, int width, int height, int chroma, int bitDepth)
    {
        Assert.True(H265SpsInfo.TryParse(H265Vectors.Get(vector), out var info));

        Assert.Equal(new H265SpsInfo(profile, false, level, width, height, chroma, bitDepth, bitDepth, 25.0), info);
    }

    [Theory]
    [MemberData(nameof(RealVectors))]
    public void TryParse_EveryTruncatedPrefix_ReturnsFalse(string vector, int profile, int level, int width, int height, int chroma, int bitDepth)
    {
        _ = (profile, level, width, height, chroma, bitDepth);
        var sps = H265Vectors.Get(vector);
        for (var length = 0; length < sps.Length; length++)
        {
            Assert.False(H265SpsInfo.TryParse(sps.AsSpan(0, length), out var info), $"prefix of {length} bytes parsed");
            Assert.Equal(default, info);
        }
    }

    [Fact]
    public void TryParse_EmulationPreventionInProfileTierLevel_IsRemoved()
    {
        // 42 01 | 01 | 60 00 00 03 00 | 90 00 00 03 00 00 03 00 | 3f: three escapes before general_level_idc.
        // Read raw, the level would be 0x00 and the width garbage.
        Assert.True(H265SpsInfo.TryParse(H265Vectors.Sps360Main, out var info));

        Assert.Equal(63, info.LevelIdc);
        Assert.Equal((640, 360), (info.Width, info.Height));
    }

    [Theory]
    [InlineData(nameof(H265Vectors.Vps360Main))]
    [InlineData(nameof(H265Vectors.Pps360Main))]
    public void TryParse_OtherParameterSet_ReturnsFalse(string vector)
    {
        Assert.False(H265SpsInfo.TryParse(H265Vectors.Get(vector), out _));
    }

    [Fact]
    public void TryParse_ForbiddenBitSet_ReturnsFalse()
    {
        var sps = (byte[])H265Vectors.Sps360Main.Clone();
        sps[0] |= 0x80;

        Assert.False(H265SpsInfo.TryParse(sps, out _));
    }

    [Theory]
    [InlineData(0x42, 0x09)] // nuh_layer_id 1
    [InlineData(0x43, 0x01)] // nuh_layer_id 32
    [InlineData(0x42, 0x02)] // TemporalId 1
    [InlineData(0x42, 0x00)] // nuh_temporal_id_plus1 0
    public void TryParse_NotBaseLayerOrTemporalIdZero_ReturnsFalse(byte header0, byte header1)
    {
        var sps = (byte[])H265Vectors.Sps360Main.Clone();
        sps[0] = header0;
        sps[1] = header1;

        Assert.False(H265SpsInfo.TryParse(sps, out _));
    }

    [Fact]
    public void TryParse_TrailingZeroBytes_StillParses()
    {
        byte[] sps = [.. H265Vectors.Sps360Main, 0x00, 0x00];

        Assert.True(H265SpsInfo.TryParse(sps, out var info));
        Assert.Equal(640, info.Width);
    }

    [Fact]
    public void TryParse_HandBuiltDefaults_CropsTo1080AndReadsFrameRate()
    {
        Assert.True(H265SpsInfo.TryParse(new H265SpsBuilder().Build(), out var info));

        Assert.Equal(new H265SpsInfo(1, false, 123, 1920, 1080, 1, 8, 8, 30000.0 / 1001), info);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    [InlineData(6, false)]
    [InlineData(6, true)]
    public void TryParse_SubLayers_SkipsSubLayerProfileTierLevels(int maxSubLayersMinus1, bool profilesAndLevels)
    {
        var sps = new H265SpsBuilder { MaxSubLayersMinus1 = maxSubLayersMinus1, SubLayerProfilesAndLevels = profilesAndLevels, Hrd = true }.Build();

        Assert.True(H265SpsInfo.TryParse(sps, out var info));
        Assert.Equal(123, info.LevelIdc);
        Assert.Equal((1920, 1080), (info.Width, info.Height));
        Assert.Equal(30000.0 / 1001, info.FrameRate, 9);
        AssertEveryPrefixFails(sps);
    }

    [Fact]
    public void TryParse_SevenSubLayersMinusOne_ReturnsFalse()
    {
        Assert.False(H265SpsInfo.TryParse(new H265SpsBuilder { MaxSubLayersMinus1 = 7 }.Build(), out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TryParse_EverySyntaxPathTogether_ParsesExactlyToTheStopBit(bool zeroBitBeforeStop)
    {
        var sps = new H265SpsBuilder
        {
            MaxSubLayersMinus1 = 2,
            SubLayerProfilesAndLevels = true,
            ScalingLists = true,
            Pcm = true,
            ShortTermSets = true,
            LongTermPictures = true,
            Hrd = true,
            MinSpatialSegmentationIdc = 200,
            RangeExtension = true,
            ZeroBitBeforeStop = zeroBitBeforeStop,
        }.Build();

        var parsed = H265SpsInfo.TryParse(sps, out var info);

        Assert.Equal(!zeroBitBeforeStop, parsed);
        if (parsed)
        {
            Assert.Equal((1920, 1080), (info.Width, info.Height));
            Assert.Equal(30000.0 / 1001, info.FrameRate, 9);
            AssertEveryPrefixFails(sps);
        }
    }

    [Theory]
    [InlineData(nameof(H265SpsBuilder.ScalingLists))]
    [InlineData(nameof(H265SpsBuilder.Pcm))]
    [InlineData(nameof(H265SpsBuilder.ShortTermSets))]
    [InlineData(nameof(H265SpsBuilder.LongTermPictures))]
    [InlineData(nameof(H265SpsBuilder.Hrd))]
    [InlineData(nameof(H265SpsBuilder.MinSpatialSegmentationIdc))]
    [InlineData(nameof(H265SpsBuilder.RangeExtension))]
    public void TryParse_SyntaxPath_ConsumesExactlyItsBits(string feature)
    {
        // Parsing succeeds only if the bit after the syntax is 1. With a 0 inserted there, a parser that
        // stopped early would still find the same 1 it found before; only one that ends exactly there fails.
        H265SpsBuilder Builder(bool zeroBit) => feature switch
        {
            nameof(H265SpsBuilder.ScalingLists) => new H265SpsBuilder { ScalingLists = true, ZeroBitBeforeStop = zeroBit },
            nameof(H265SpsBuilder.Pcm) => new H265SpsBuilder { Pcm = true, ZeroBitBeforeStop = zeroBit },
            nameof(H265SpsBuilder.ShortTermSets) => new H265SpsBuilder { ShortTermSets = true, ZeroBitBeforeStop = zeroBit },
            nameof(H265SpsBuilder.LongTermPictures) => new H265SpsBuilder { LongTermPictures = true, ZeroBitBeforeStop = zeroBit },
            nameof(H265SpsBuilder.Hrd) => new H265SpsBuilder { Hrd = true, MaxSubLayersMinus1 = 3, ZeroBitBeforeStop = zeroBit },
            nameof(H265SpsBuilder.MinSpatialSegmentationIdc) => new H265SpsBuilder { MinSpatialSegmentationIdc = 17, ZeroBitBeforeStop = zeroBit },
            _ => new H265SpsBuilder { RangeExtension = true, ZeroBitBeforeStop = zeroBit },
        };

        Assert.True(H265SpsInfo.TryParse(Builder(zeroBit: false).Build(), out var info));
        Assert.Equal((1920, 1080), (info.Width, info.Height));
        Assert.False(H265SpsInfo.TryParse(Builder(zeroBit: true).Build(), out _));
    }

    [Fact]
    public void TryParse_SccExtension_AcceptedWithoutWalkingIt()
    {
        Assert.True(H265SpsInfo.TryParse(new H265SpsBuilder { SccExtension = true }.Build(), out var info));

        Assert.Equal((1920, 1080), (info.Width, info.Height));
    }

    [Fact]
    public void TryParse_NoVui_FrameRateIsZero()
    {
        Assert.True(H265SpsInfo.TryParse(new H265SpsBuilder { Vui = false }.Build(), out var info));

        Assert.Equal(0, info.FrameRate);
        Assert.Equal(1080, info.Height);
    }

    [Fact]
    public void TryParse_ZeroUnitsInTick_FrameRateIsZero()
    {
        Assert.True(H265SpsInfo.TryParse(new H265SpsBuilder { NumUnitsInTick = 0 }.Build(), out var info));

        Assert.Equal(0, info.FrameRate);
    }

    [Theory]
    [InlineData(0, false, 1, 1)] // monochrome: SubWidthC 1, SubHeightC 1
    [InlineData(1, false, 2, 2)] // 4:2:0
    [InlineData(2, false, 2, 1)] // 4:2:2
    [InlineData(3, false, 1, 1)] // 4:4:4
    [InlineData(3, true, 1, 1)]  // separate colour planes: ChromaArrayType 0
    public void TryParse_ConformanceWindow_UsesChromaSubsampling(int chroma, bool separatePlanes, int subWidth, int subHeight)
    {
        var sps = new H265SpsBuilder
        {
            ProfileIdc = 4,
            ChromaFormatIdc = chroma,
            SeparateColourPlane = separatePlanes,
            ConformanceWindow = (1, 2, 3, 4),
        }.Build();

        Assert.True(H265SpsInfo.TryParse(sps, out var info));
        Assert.Equal(1920 - subWidth * 3, info.Width);
        Assert.Equal(1088 - subHeight * 7, info.Height);
        Assert.Equal(chroma, info.ChromaFormatIdc);
    }

    [Fact]
    public void TryParse_CroppingAwayWholeFrame_ReturnsFalse()
    {
        Assert.False(H265SpsInfo.TryParse(new H265SpsBuilder { ConformanceWindow = (480, 480, 0, 0) }.Build(), out _));
    }

    [Fact]
    public void TryParse_WidthNotMultipleOfMinCodingBlock_ReturnsFalse()
    {
        Assert.False(H265SpsInfo.TryParse(new H265SpsBuilder { CodedWidth = 1924, ConformanceWindow = default }.Build(), out _));
        Assert.True(H265SpsInfo.TryParse(new H265SpsBuilder { CodedWidth = 1928, ConformanceWindow = default }.Build(), out _));
    }

    [Fact]
    public void TryParse_ChromaFormatIdcAbove3_ReturnsFalse()
    {
        Assert.False(H265SpsInfo.TryParse(new H265SpsBuilder { ChromaFormatIdc = 4 }.Build(), out _));
    }

    [Fact]
    public void TryParse_BitDepthAbove16_ReturnsFalse()
    {
        Assert.True(H265SpsInfo.TryParse(new H265SpsBuilder { BitDepth = 16 }.Build(), out var info));
        Assert.Equal(16, info.BitDepthLuma);
        Assert.False(H265SpsInfo.TryParse(new H265SpsBuilder { BitDepth = 17 }.Build(), out _));
    }

    [Fact]
    public void TryParse_ScalingDcCoefficientOutOfRange_ReturnsFalse()
    {
        Assert.False(H265SpsInfo.TryParse(new H265SpsBuilder { ScalingLists = true, ScalingDcCoefMinus8 = 248 }.Build(), out _));
    }

    [Fact]
    public void TryParse_MissingStopBit_ReturnsFalse()
    {
        Assert.False(H265SpsInfo.TryParse(new H265SpsBuilder { StopBit = false }.Build(), out _));
    }

    private static void AssertEveryPrefixFails(byte[] sps)
    {
        for (var length = 0; length < sps.Length; length++)
        {
            Assert.False(H265SpsInfo.TryParse(sps.AsSpan(0, length), out _), $"prefix of {length} bytes parsed");
        }
    }
}
