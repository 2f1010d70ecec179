using LiveRelay.Codecs.H264;

namespace LiveRelay.Codecs.Tests.H264;

public class H264SpsInfoTests
{
    public static TheoryData<string, int, int, int, int, double> RealVectors => new()
    {
        { nameof(H264Vectors.Sps720High), 100, 31, 1280, 720, 25.0 },
        { nameof(H264Vectors.Sps360Baseline), 66, 30, 640, 360, 30.0 },
        { nameof(H264Vectors.Sps1080High), 100, 40, 1920, 1080, 30000.0 / 1001 },
        { nameof(H264Vectors.Sps1080Interlaced), 100, 40, 1920, 1080, 25.0 },
        { nameof(H264Vectors.Sps480High444), 244, 30, 854, 480, 24.0 },
        { nameof(H264Vectors.Sps144High), 100, 10, 176, 144, 15.0 },
    };

    [Theory]
    [MemberData(nameof(RealVectors))]
    public void TryParse_FfmpegSps_ReturnsFields(string vector, int profile, int level, int width, int height, double frameRate)
    {
        Assert.True(H264SpsInfo.TryParse(Vector(vector), out var info));

        Assert.Equal(profile, info.ProfileIdc);
        Assert.Equal(level, info.LevelIdc);
        Assert.Equal(width, info.Width);
        Assert.Equal(height, info.Height);
        Assert.Equal(frameRate, info.FrameRate, 6);
    }

    [Theory]
    [MemberData(nameof(RealVectors))]
    public void TryParse_EveryTruncatedPrefix_ReturnsFalse(string vector, int profile, int level, int width, int height, double frameRate)
    {
        _ = (profile, level, width, height, frameRate);
        var sps = Vector(vector);
        for (var length = 0; length < sps.Length; length++)
        {
            Assert.False(H264SpsInfo.TryParse(sps.AsSpan(0, length), out var info), $"prefix of {length} bytes parsed");
            Assert.Equal(default, info);
        }
    }

    [Fact]
    public void TryParse_PpsNalUnit_ReturnsFalse()
    {
        Assert.False(H264SpsInfo.TryParse(H264Vectors.Pps720High, out _));
    }

    [Fact]
    public void TryParse_ForbiddenBitSet_ReturnsFalse()
    {
        var sps = (byte[])H264Vectors.Sps720High.Clone();
        sps[0] |= 0x80;

        Assert.False(H264SpsInfo.TryParse(sps, out _));
    }

    [Fact]
    public void TryParse_TrailingZeroBytes_StillParses()
    {
        byte[] sps = [.. H264Vectors.Sps720High, 0x00, 0x00];

        Assert.True(H264SpsInfo.TryParse(sps, out var info));
        Assert.Equal(1280, info.Width);
    }

    [Fact]
    public void TryParse_NoVui_FrameRateIsZero()
    {
        var sps = new SpsBuilder { Vui = false }.Build();

        Assert.True(H264SpsInfo.TryParse(sps, out var info));
        Assert.Equal(0, info.FrameRate);
        Assert.Equal(1280, info.Width);
        Assert.Equal(720, info.Height);
    }

    [Fact]
    public void TryParse_VuiWithoutTiming_FrameRateIsZero()
    {
        var sps = new SpsBuilder { Timing = false }.Build();

        Assert.True(H264SpsInfo.TryParse(sps, out var info));
        Assert.Equal(0, info.FrameRate);
    }

    [Fact]
    public void TryParse_ZeroUnitsInTick_FrameRateIsZero()
    {
        var sps = new SpsBuilder { NumUnitsInTick = 0 }.Build();

        Assert.True(H264SpsInfo.TryParse(sps, out var info));
        Assert.Equal(0, info.FrameRate);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void TryParse_ScalingListsInSps_SkipsThemAndReadsSize(int chromaFormatIdc)
    {
        var builder = new SpsBuilder { ProfileIdc = chromaFormatIdc == 3 ? 244 : 100, ChromaFormatIdc = chromaFormatIdc, ScalingLists = true };
        var sps = builder.Build();

        Assert.True(H264SpsInfo.TryParse(sps, out var info));
        Assert.Equal(1280, info.Width);
        Assert.Equal(720, info.Height);
        Assert.Equal(25.0, info.FrameRate);
        for (var length = 0; length < sps.Length; length++)
        {
            Assert.False(H264SpsInfo.TryParse(sps.AsSpan(0, length), out _), $"prefix of {length} bytes parsed");
        }
    }

    [Fact]
    public void TryParse_ScalingDeltaOutOfRange_ReturnsFalse()
    {
        var sps = new SpsBuilder { ScalingLists = true, ScalingDelta = 200 }.Build();

        Assert.False(H264SpsInfo.TryParse(sps, out _));
    }

    [Fact]
    public void TryParse_PicOrderCountType1_SkipsOffsets()
    {
        var sps = new SpsBuilder { PicOrderCntType = 1 }.Build();

        Assert.True(H264SpsInfo.TryParse(sps, out var info));
        Assert.Equal(1280, info.Width);
        Assert.Equal(25.0, info.FrameRate);
    }

    [Fact]
    public void TryParse_PicOrderCountType3_ReturnsFalse()
    {
        Assert.False(H264SpsInfo.TryParse(new SpsBuilder { PicOrderCntType = 3 }.Build(), out _));
    }

    [Fact]
    public void TryParse_ChromaFormat2Cropping_UsesCropUnitYOfOne()
    {
        // 4:2:2: SubWidthC 2, SubHeightC 1 → crop units (2, 1) for progressive frames.
        var sps = new SpsBuilder { ProfileIdc = 122, ChromaFormatIdc = 2, CropRight = 3, CropBottom = 8 }.Build();

        Assert.True(H264SpsInfo.TryParse(sps, out var info));
        Assert.Equal(1280 - 6, info.Width);
        Assert.Equal(720 - 8, info.Height);
    }

    [Fact]
    public void TryParse_Monochrome_UsesCropUnitsOfOne()
    {
        var sps = new SpsBuilder { ProfileIdc = 100, ChromaFormatIdc = 0, CropRight = 3, CropBottom = 8 }.Build();

        Assert.True(H264SpsInfo.TryParse(sps, out var info));
        Assert.Equal(1280 - 3, info.Width);
        Assert.Equal(720 - 8, info.Height);
    }

    [Fact]
    public void TryParse_SeparateColourPlanes_UsesCropUnitsOfOne()
    {
        var sps = new SpsBuilder { ProfileIdc = 244, ChromaFormatIdc = 3, SeparateColourPlane = true, CropRight = 5 }.Build();

        Assert.True(H264SpsInfo.TryParse(sps, out var info));
        Assert.Equal(1280 - 5, info.Width);
    }

    [Fact]
    public void TryParse_CroppingAwayWholeFrame_ReturnsFalse()
    {
        Assert.False(H264SpsInfo.TryParse(new SpsBuilder { CropRight = 640 }.Build(), out _));
    }

    [Fact]
    public void TryParse_ChromaFormatIdcAbove3_ReturnsFalse()
    {
        Assert.False(H264SpsInfo.TryParse(new SpsBuilder { ProfileIdc = 100, ChromaFormatIdc = 4 }.Build(), out _));
    }

    [Fact]
    public void TryParse_HrdAndBitstreamRestriction_AreSkipped()
    {
        var sps = new SpsBuilder { Hrd = true, BitstreamRestriction = true, ExtendedSar = true }.Build();

        Assert.True(H264SpsInfo.TryParse(sps, out var info));
        Assert.Equal(1280, info.Width);
        Assert.Equal(25.0, info.FrameRate);
        for (var length = 0; length < sps.Length; length++)
        {
            Assert.False(H264SpsInfo.TryParse(sps.AsSpan(0, length), out _), $"prefix of {length} bytes parsed");
        }
    }

    [Fact]
    public void TryParse_MissingStopBit_ReturnsFalse()
    {
        var sps = new SpsBuilder { StopBit = false }.Build();

        Assert.False(H264SpsInfo.TryParse(sps, out _));
    }

    [Fact]
    public void TryParse_HugeDimensions_ReturnsFalse()
    {
        Assert.False(H264SpsInfo.TryParse(new SpsBuilder { WidthInMbs = 100_000 }.Build(), out _));
    }

    [Fact]
    public void TryParse_RandomBytes_NeverThrows()
    {
        var random = new Random(1234);
        var buffer = new byte[64];
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(buffer);
            buffer[0] = 0x67;
            H264SpsInfo.TryParse(buffer.AsSpan(0, random.Next(buffer.Length)), out _);
        }

        Assert.True(H264SpsInfo.TryParse(H264Vectors.Sps720High, out _)); // still working after the noise
    }

    private static byte[] Vector(string name) =>
        (byte[])typeof(H264Vectors).GetField(name)!.GetValue(null)!;
}
