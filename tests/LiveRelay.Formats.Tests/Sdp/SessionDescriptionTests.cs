using LiveRelay.Formats.Sdp;

namespace LiveRelay.Formats.Tests.Sdp;

public sealed class SessionDescriptionTests
{
    // As a Hikvision-style camera answers DESCRIBE: H.264 with sprop-parameter-sets, G.711 A-law audio.
    private const string Hikvision =
        "v=0\r\no=- 1109162014219182 1109162014219192 IN IP4 192.168.1.64\r\ns=Media Presentation\r\ne=NONE\r\nb=AS:5050\r\nt=0 0\r\n" +
        "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/?transportmode=unicast\r\n" +
        "m=video 0 RTP/AVP 96\r\nc=IN IP4 0.0.0.0\r\nb=AS:5000\r\na=recvonly\r\na=x-dimensions:1920,1080\r\n" +
        "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast\r\n" +
        "a=rtpmap:96 H264/90000\r\na=fmtp:96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z00AKp2oHgCJ+WbgICAgQA==,aO48gA==\r\n" +
        "m=audio 0 RTP/AVP 8\r\nc=IN IP4 0.0.0.0\r\nb=AS:50\r\na=recvonly\r\n" +
        "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=2?transportmode=unicast\r\na=rtpmap:8 PCMA/8000\r\n";

    // Dahua-style: relative controls, no sprop-parameter-sets, AAC as MPEG4-GENERIC.
    private const string Dahua =
        "v=0\no=- 2251939460 2251939460 IN IP4 0.0.0.0\ns=Media Server\nc=IN IP4 0.0.0.0\nt=0 0\na=control:*\n" +
        "m=video 0 RTP/AVP 96\na=control:trackID=0\na=framerate:25.000000\na=rtpmap:96 H264/90000\na=fmtp:96 packetization-mode=1;profile-level-id=4D002A\n" +
        "m=audio 0 RTP/AVP 97\na=control:trackID=1\na=rtpmap:97 MPEG4-GENERIC/48000/2\n" +
        "a=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1190\n";

    [Fact]
    public void Parse_HikvisionStyle_ReadsControlsCodecsAndParameterSets()
    {
        var sdp = SessionDescription.Parse(Hikvision);

        Assert.Equal("rtsp://192.168.1.64:554/Streaming/Channels/101/?transportmode=unicast", sdp.Control);
        Assert.Equal(2, sdp.Media.Count);
        var video = sdp.Media[0];
        Assert.Equal(("video", 96, "H264", 90000), (video.Media, video.PayloadType, video.Encoding, video.ClockRate));
        Assert.Equal("Z00AKp2oHgCJ+WbgICAgQA==,aO48gA==", video.Format["sprop-parameter-sets"]);
        Assert.Equal("1", video.Format["packetization-mode"]);
        Assert.EndsWith("trackID=1?transportmode=unicast", video.Control);
        var audio = sdp.Media[1];
        Assert.Equal(("audio", 8, "PCMA", 8000, 1), (audio.Media, audio.PayloadType, audio.Encoding, audio.ClockRate, audio.Channels));
    }

    [Fact]
    public void Parse_DahuaStyle_NoParameterSets_AacWithConfig()
    {
        var sdp = SessionDescription.Parse(Dahua);

        Assert.Equal("*", sdp.Control);
        Assert.False(sdp.Media[0].Format.ContainsKey("sprop-parameter-sets"));
        Assert.Equal("trackID=0", sdp.Media[0].Control);
        var audio = sdp.Media[1];
        Assert.Equal(("MPEG4-GENERIC", 48000, 2), (audio.Encoding, audio.ClockRate, audio.Channels));
        Assert.Equal("1190", audio.Format["config"]);
        Assert.Equal("AAC-hbr", audio.Format["mode"]);
        Assert.Equal("13", audio.Format["sizelength"]);
    }

    [Fact]
    public void Parse_StaticPayloadTypeWithoutRtpMap_KnowsG711()
    {
        var sdp = SessionDescription.Parse("v=0\nm=audio 0 RTP/AVP 0\na=control:track2\n");

        Assert.Equal(("PCMU", 8000), (sdp.Media[0].Encoding, sdp.Media[0].ClockRate));
    }

    [Theory]
    [InlineData("v=0\nm=video 0 RTP/AVP\n")]
    [InlineData("v=0\nm=video 0 RTP/AVP abc\n")]
    [InlineData("v=0\nm=video 0 RTP/AVP 300\n")]
    public void Parse_BrokenMediaLine_Throws(string text)
    {
        var error = Assert.Throws<InvalidDataException>(() => SessionDescription.Parse(text));

        Assert.Contains("media line", error.Message);
    }

    [Fact]
    public void Parse_TooManyMediaOrTooLong_Throws()
    {
        Assert.Throws<InvalidDataException>(() => SessionDescription.Parse(string.Concat(Enumerable.Repeat("m=video 0 RTP/AVP 96\n", 17))));
        Assert.Throws<InvalidDataException>(() => SessionDescription.Parse(new string('a', SessionDescription.MaxLength + 1)));
    }
}
