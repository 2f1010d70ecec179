using LiveRelay.Codecs.H265;

namespace LiveRelay.Codecs.Tests.H265;

public class H265ProfileTierLevelTests
{
    [Theory]
    // Main, compatible with Main and Main 10 (flags 1 and 2 → reversed 0b110), level 3.1, progressive/non-packed/frame-only.
    [InlineData(0, false, 1, 0x6000_0000u, 0xB000_0000_0000UL, 93, "hvc1.1.6.L93.B0")]
    // Main 10 (flag 2 → 4), level 2, progressive + frame-only (libx265).
    [InlineData(0, false, 2, 0x2000_0000u, 0x9000_0000_0000UL, 60, "hvc1.2.4.L60.90")]
    // Profile space 1 ('A'), High tier, flags 0 and 6 → 0x41, two constraint bytes.
    [InlineData(1, true, 4, 0x8200_0000u, 0xB023_0000_0000UL, 120, "hvc1.A4.41.H120.B0.23")]
    // A zero constraint byte before a non-zero one stays, as 0; trailing zero bytes go.
    [InlineData(3, false, 1, 0x4000_0000u, 0x9000_0800_0000UL, 186, "hvc1.C1.2.L186.90.0.8")]
    // No compatibility or constraint flags at all.
    [InlineData(0, false, 1, 0u, 0UL, 30, "hvc1.1.0.L30")]
    // All 32 compatibility flags: reversed is still FFFFFFFF.
    [InlineData(0, true, 31, 0xFFFF_FFFFu, 0xFFFF_FFFF_FFFFUL, 255, "hvc1.31.FFFFFFFF.H255.FF.FF.FF.FF.FF.FF")]
    public void ToCodecString_Fields_FollowIso14496AnnexE(int space, bool tier, int profile, uint compatibility, ulong constraints, int level, string expected)
    {
        var ptl = new H265ProfileTierLevel(space, tier, profile, compatibility, constraints, level);

        Assert.Equal(expected, ptl.ToCodecString());
    }

    [Fact]
    public void ToCodecString_Hev1SampleEntry_UsesThatPrefix()
    {
        Assert.Equal("hev1.1.6.L93.B0", new H265ProfileTierLevel(0, false, 1, 0x6000_0000, 0xB000_0000_0000, 93).ToCodecString("hev1"));
    }

    [Fact]
    public void WriteThenRead_TwelveBytes_RoundTrip()
    {
        var ptl = new H265ProfileTierLevel(2, true, 9, 0x1234_5678, 0xABCD_EF01_2345, 153);
        var bytes = new byte[12];

        ptl.Write(bytes);

        Assert.Equal("A912345678ABCDEF01234599", Convert.ToHexString(bytes));
        Assert.Equal(ptl, H265ProfileTierLevel.Read(bytes));
    }
}
