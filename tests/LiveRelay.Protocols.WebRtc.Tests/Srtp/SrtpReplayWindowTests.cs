using LiveRelay.Protocols.WebRtc.Srtp;

namespace LiveRelay.Protocols.WebRtc.Tests.Srtp;

public sealed class SrtpReplayWindowTests
{
    private static SrtpReplayWindow At(ulong highest)
    {
        var window = default(SrtpReplayWindow);
        window.Accept(highest);
        return window;
    }

    [Theory]
    [InlineData(0x0_0010UL, (ushort)0x0011, 0x0_0011L)]     // next in the same ROC
    [InlineData(0x0_FFFFUL, (ushort)0x0000, 0x1_0000L)]     // the wrap: ROC + 1
    [InlineData(0x1_0002UL, (ushort)0xFFFE, 0x0_FFFEL)]     // late from before the wrap: ROC − 1
    [InlineData(0x0_0002UL, (ushort)0xFFFE, -1L)]           // "before" the first ROC
    [InlineData(0x2_8000UL, (ushort)0x0001, 0x2_0001L)]     // s_l = 2^15: 2^15 − 2^15 > SEQ is false, same ROC
    [InlineData(0x2_8001UL, (ushort)0x0000, 0x3_0000L)]     // s_l − 2^15 = 1 > 0: ROC + 1
    [InlineData(0x2_7FFFUL, (ushort)0xFFFF, 0x2_FFFFL)]     // SEQ − s_l = 2^15: not more than 2^15, same ROC
    [InlineData(0x2_7FFEUL, (ushort)0xFFFF, 0x1_FFFFL)]     // SEQ − s_l = 2^15 + 1: ROC − 1
    public void EstimateRtpIndex_Rfc3711AppendixA_GivesTheIndex(ulong highest, ushort sequence, long expected)
    {
        Assert.Equal(expected, At(highest).EstimateRtpIndex(sequence));
    }

    [Fact]
    public void EstimateRtpIndex_BeforeAnyPacket_IsTheSequenceWithRocZero()
    {
        Assert.Equal(0xFFF0L, default(SrtpReplayWindow).EstimateRtpIndex(0xFFF0));
    }

    [Fact]
    public void Check_AfterAcceptsAndAJump_TracksEachIndexOfTheLast128()
    {
        var window = At(1000);
        window.Accept(998);
        window.Accept(1200); // slides 200: 1000 and 998 fall out

        Assert.Equal(SrtpError.Replayed, window.Check(1200));
        Assert.Equal(SrtpError.None, window.Check(1199));
        Assert.Equal(SrtpError.None, window.Check(1073));
        Assert.Equal(SrtpError.TooOld, window.Check(1072));
        Assert.Equal(SrtpError.TooOld, window.Check(1000));
        Assert.Equal(SrtpError.None, window.Check(5000));

        window.Accept(1073);
        Assert.Equal(SrtpError.Replayed, window.Check(1073));
        Assert.Equal(1200UL, window.Highest);
    }
}
