using LiveRelay.Server.Control.Monitoring;

namespace LiveRelay.Server.Tests.Control;

public sealed class FeedMonitorTests
{
    [Theory]
    [InlineData("[Parsed_ametadata_2 @ 0x5586c5569140] lavfi.astats.Overall.Peak_level=-17.273486", -17.273486)]
    [InlineData("[Parsed_ametadata_2 @ 0x1] lavfi.astats.Overall.Peak_level=0.000000", 0)]
    [InlineData("[Parsed_ametadata_2 @ 0x1] lavfi.astats.Overall.Peak_level=-inf", double.NegativeInfinity)]
    public void TryParsePeak_ALevelLine_ReadsTheLevel(string line, double expected)
    {
        Assert.True(FeedMonitor.TryParsePeak(line, out var peak));
        Assert.Equal(expected, peak, 6);
    }

    [Theory]
    [InlineData("[Parsed_ametadata_2 @ 0x1] frame:12   pts:49152   pts_time:1.024")]
    [InlineData("Input #0, flv, from 'pipe:0':")]
    [InlineData("[Parsed_ametadata_2 @ 0x1] lavfi.astats.Overall.Peak_level=loud")]
    public void TryParsePeak_OtherLines_AreNotLevels(string line) =>
        Assert.False(FeedMonitor.TryParsePeak(line, out _));

    [Fact]
    public void Arguments_DecodeOnlyKeyframes_AndAskForWhatTheFeedHas()
    {
        var both = FeedMonitor.Arguments(thumbnails: true, audio: true);
        Assert.Contains("-skip_frame:v nokey", both);
        Assert.Contains("-f mpjpeg pipe:1", both);
        Assert.Contains("astats", both);

        var audioOnly = FeedMonitor.Arguments(thumbnails: false, audio: true);
        Assert.DoesNotContain("mpjpeg", audioOnly);
        Assert.DoesNotContain("astats", FeedMonitor.Arguments(thumbnails: true, audio: false));
    }
}
