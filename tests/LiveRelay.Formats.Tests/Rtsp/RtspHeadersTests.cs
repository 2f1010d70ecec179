using LiveRelay.Formats.Rtsp;

namespace LiveRelay.Formats.Tests.Rtsp;

public sealed class RtspHeadersTests
{
    [Fact]
    public void ParseRtpInfo_TwoTracks_GivesEachUrlSequenceAndTime()
    {
        var entries = RtspHeaders.ParseRtpInfo(
            "url=rtsp://10.0.0.5:554/Streaming/Channels/101/trackID=1;seq=4711;rtptime=3735928559, url=rtsp://10.0.0.5:554/Streaming/Channels/101/trackID=2;seq=17;rtptime=9000");

        Assert.Equal(
            [
                new RtpInfoEntry("rtsp://10.0.0.5:554/Streaming/Channels/101/trackID=1", 4711, 3735928559),
                new RtpInfoEntry("rtsp://10.0.0.5:554/Streaming/Channels/101/trackID=2", 17, 9000),
            ],
            entries);
    }

    [Fact]
    public void ParseRtpInfo_UrlWithCommaAndMissingFields_KeepsTheUrlAndLeavesTheRestNull()
    {
        var entries = RtspHeaders.ParseRtpInfo("url=rtsp://cam/live?a=1,2;seq=abc,url=track2;rtptime=99999999999");

        Assert.Equal([new RtpInfoEntry("rtsp://cam/live?a=1,2", null, null), new RtpInfoEntry("track2", null, null)], entries);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(";;;,,,")]
    [InlineData("seq=1;rtptime=2")]
    public void ParseRtpInfo_NothingUsable_IsEmpty(string? value) => Assert.Empty(RtspHeaders.ParseRtpInfo(value));

    [Fact]
    public void ParseRtpInfo_ManyEntries_StopsAtTheBound()
    {
        var value = string.Join(",", Enumerable.Range(0, 1000).Select(i => $"url=t{i};seq={i}"));

        Assert.Equal(16, RtspHeaders.ParseRtpInfo(value).Count);
    }

    [Fact]
    public void ParseTransport_Udp_GivesServerPortsAndSsrc()
    {
        var transport = RtspHeaders.ParseTransport("RTP/AVP;unicast;client_port=5000-5001;server_port=6970-6971;ssrc=1A2B3C4D;mode=\"PLAY\"");

        Assert.Equal(new RtspTransport(6970, 6971, null, 0x1A2B3C4D), transport);
    }

    [Fact]
    public void ParseTransport_InterleavedAndSinglePort_AreRead()
    {
        Assert.Equal(new RtspTransport(null, null, 2, null), RtspHeaders.ParseTransport("RTP/AVP/TCP;unicast;interleaved=2-3"));
        Assert.Equal(new RtspTransport(7000, 7001, null, null), RtspHeaders.ParseTransport("RTP/AVP;unicast;server_port=7000"));
    }

    [Theory]
    [InlineData("RTP/AVP;server_port=99999-100000;ssrc=nothex")]
    [InlineData("garbage")]
    [InlineData("")]
    public void ParseTransport_Nonsense_GivesNothing(string value) => Assert.Equal(default, RtspHeaders.ParseTransport(value));

    [Fact]
    public void ParsePublic_ListsMethodsUpperCase()
    {
        var methods = RtspHeaders.ParsePublic("OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY, PAUSE, get_parameter, SET_PARAMETER");

        Assert.Contains("GET_PARAMETER", methods);
        Assert.Equal(8, methods.Count);
    }
}
