using System.Text;
using LiveRelay.Protocols.WebRtc.Sdp;

namespace LiveRelay.Protocols.WebRtc.Tests.Sdp;

public sealed class WebRtcOfferTests
{
    [Fact]
    public void Parse_ChromeWhip_TransportFromMediaLevel()
    {
        var offer = WebRtcOffer.Parse(SampleOffers.ChromeWhip);

        Assert.Equal(("EsAw", "bP+XJMM09aR8AiX1jdukzR6Y", "actpass"), (offer.IceUfrag, offer.IcePwd, offer.Setup));
        Assert.Equal("sha-256", offer.Fingerprint.Algorithm);
        Assert.StartsWith("DA:7B:57:DC", offer.Fingerprint.Value);
        Assert.Equal(32, offer.Fingerprint.GetBytes().Length);
        Assert.Equal(new[] { "0", "1" }, offer.BundleMids);
        Assert.Null(offer.SessionIceUfrag);
        Assert.Null(offer.SessionFingerprint);
        Assert.Equal("EsAw", offer.Media[1].IceUfrag);
    }

    [Fact]
    public void Parse_ChromeWhip_AudioSection()
    {
        var audio = WebRtcOffer.Parse(SampleOffers.ChromeWhip).Media[0];

        Assert.Equal(("audio", 9, "0", "sendonly", true), (audio.Kind, audio.Port, audio.Mid, audio.Direction, audio.RtcpMux));
        Assert.Equal("UDP/TLS/RTP/SAVPF", audio.Protocol);
        Assert.Equal(new[] { 111, 63, 9, 0, 8, 13, 110, 126 }, audio.Codecs.Select(c => c.PayloadType));
        var opus = audio.Codecs[0];
        Assert.Equal(("opus", 48000, 2), (opus.Name, opus.ClockRate, opus.Channels));
        Assert.Equal("10", opus.Format["minptime"]);
        Assert.Equal("1", opus.Format["useinbandfec"]);
        Assert.Equal("minptime=10;useinbandfec=1", opus.Fmtp);
        Assert.Equal(new[] { "transport-cc" }, opus.Feedback);
        Assert.Null(opus.RtxPayloadType);
        Assert.True(audio.Codecs[1].Format.ContainsKey("111/111")); // red's bare fmtp
        Assert.Equal(("PCMU", 8000, 1), (audio.Codecs[3].Name, audio.Codecs[3].ClockRate, audio.Codecs[3].Channels));
        Assert.Contains((4, "urn:ietf:params:rtp-hdrext:sdes:mid"), audio.Extensions);
        Assert.Equal("3485940486", audio.Ssrc);
        Assert.Null(audio.RtxSsrc);
        Assert.False(audio.RtcpRsize);
    }

    [Fact]
    public void Parse_ChromeWhip_VideoSectionWithRtxAndFid()
    {
        var video = WebRtcOffer.Parse(SampleOffers.ChromeWhip).Media[1];

        Assert.Equal(("video", "1", "sendonly"), (video.Kind, video.Mid, video.Direction));
        Assert.Equal(25, video.Codecs.Count);
        Assert.True(video.RtcpRsize);
        Assert.Equal(11, video.Extensions.Count);
        var h264 = video.Codecs.Single(c => c.PayloadType == 106);
        Assert.Equal(("H264", 90000), (h264.Name, h264.ClockRate));
        Assert.Equal("42e01f", h264.Format["profile-level-id"]);
        Assert.Equal("1", h264.Format["PACKETIZATION-MODE"]); // names are case-insensitive
        Assert.Equal(107, h264.RtxPayloadType);
        Assert.Equal(new[] { "goog-remb", "transport-cc", "ccm fir", "nack", "nack pli" }, h264.Feedback);
        Assert.Equal(("rtx", "106"), (video.Codecs.Single(c => c.PayloadType == 107).Name, video.Codecs.Single(c => c.PayloadType == 107).Format["apt"]));
        Assert.Equal(46, video.Codecs.Single(c => c.Name == "AV1").RtxPayloadType);
        Assert.Null(video.Codecs.Single(c => c.Name == "ulpfec").RtxPayloadType);
        Assert.Equal(("1510285542", "3338232040"), (video.Ssrc, video.RtxSsrc));
    }

    [Fact]
    public void Parse_FirefoxWhip_SessionFingerprintMediaIce()
    {
        var offer = WebRtcOffer.Parse(SampleOffers.FirefoxWhip);

        Assert.Equal(("7a1c2b3d", "e3b1f2c0a9d84f6e8b7c6d5e4f3a2b1c"), (offer.IceUfrag, offer.IcePwd));
        Assert.Equal(offer.SessionFingerprint, offer.Fingerprint);
        Assert.StartsWith("5B:1E", offer.Fingerprint.Value);
        Assert.Null(offer.Media[0].Fingerprint);
        Assert.Contains((2, "urn:ietf:params:rtp-hdrext:csrc-audio-level"), offer.Media[0].Extensions); // "2/recvonly"
        Assert.Equal(("G722", 1), (offer.Media[0].Codecs[1].Name, offer.Media[0].Codecs[1].Channels));
        var video = offer.Media[1];
        Assert.Equal(127, video.Codecs.Single(c => c.PayloadType == 126).RtxPayloadType);
        Assert.Equal(("1204873596", "3470851249"), (video.Ssrc, video.RtxSsrc)); // from the FID group, written after the ssrc lines
        Assert.Empty(video.Codecs.Single(c => c.PayloadType == 120 + 4).Feedback);
    }

    [Fact]
    public void Parse_ObsWhip_EverythingAtSessionLevel()
    {
        var offer = WebRtcOffer.Parse(SampleOffers.ObsWhip);

        Assert.Equal(("nxcM", "ezjAjgSSLLvbRhUA1zc6Se", "actpass"), (offer.IceUfrag, offer.IcePwd, offer.Setup));
        Assert.Equal(("nxcM", "ezjAjgSSLLvbRhUA1zc6Se"), (offer.SessionIceUfrag, offer.SessionIcePwd));
        Assert.Null(offer.Media[0].IceUfrag);
        Assert.Equal(new[] { "0", "1" }, offer.BundleMids); // a=group:LS ignored
        Assert.Equal((57249, "3388068600"), (offer.Media[0].Port, offer.Media[0].Ssrc));
        var h264 = Assert.Single(offer.Media[1].Codecs);
        Assert.Equal(new[] { "nack", "nack pli", "goog-remb" }, h264.Feedback);
    }

    [Fact]
    public void Parse_LfOnly_SameAsCrlf()
    {
        var crlf = WebRtcOffer.Parse(SampleOffers.ObsWhip);
        var lf = WebRtcOffer.Parse(SampleOffers.ObsWhip.Replace("\r\n", "\n"));

        Assert.Equal((crlf.IceUfrag, crlf.IcePwd, crlf.Fingerprint), (lf.IceUfrag, lf.IcePwd, lf.Fingerprint));
        Assert.Equal(crlf.Media.Select(m => (m.Mid, m.Codecs.Count, m.Codecs[0].Fmtp)), lf.Media.Select(m => (m.Mid, m.Codecs.Count, m.Codecs[0].Fmtp)));
    }

    [Fact]
    public void Parse_WildcardFeedbackAndBundleOnly_Applied()
    {
        var offer = WebRtcOffer.Parse(Minimal("m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\na=bundle-only\r\na=rtcp-fb:* nack\r\na=rtcp-fb:96 nack pli\r\na=rtpmap:96 H264/90000\r\n"));

        Assert.True(offer.Media[0].BundleOnly);
        Assert.False(offer.Media[0].IsRejected);
        Assert.Equal(new[] { "nack pli", "nack" }, offer.Media[0].Codecs[0].Feedback);
    }

    [Theory]
    [InlineData("a=ice-ufrag:nxcM\r\n", "missing a=ice-ufrag")]
    [InlineData("a=ice-pwd:ezjAjgSSLLvbRhUA1zc6Se\r\n", "missing a=ice-pwd")]
    [InlineData("a=fingerprint:sha-256 4E:7F:77:DB:7E:A3:A6:4E:5D:27:EB:39:D2:1B:96:9F:91:C9:58:8B:30:B4:AA:0F:77:60:5A:F3:86:60:03:F3\r\n", "missing a=fingerprint")]
    [InlineData("a=mid:1\r\n", "no a=mid")]
    public void Parse_ObsWhipWithoutALine_ThrowsNamingIt(string removed, string expected)
    {
        Assert.Contains(removed, SampleOffers.ObsWhip);

        var error = Assert.Throws<WebRtcSdpException>(() => WebRtcOffer.Parse(SampleOffers.ObsWhip.Replace(removed, "")));

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("m=video 9 UDP/TLS/RTP/SAVPF\r\n", "bad m= line")]
    [InlineData("m=video nine UDP/TLS/RTP/SAVPF 96\r\n", "bad m= line")]
    [InlineData("m=video 70000 UDP/TLS/RTP/SAVPF 96\r\n", "bad m= line")]
    [InlineData("m=video 9 UDP/TLS/RTP/SAVPF 128\r\n", "bad m= line")]
    [InlineData("m=video 9 UDP/TLS/RTP/SAVPF H264\r\n", "bad m= line")]
    [InlineData("m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=rtpmap:96 H264\r\n", "bad a=rtpmap")]
    [InlineData("m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=extmap:x urn:foo\r\n", "bad a=extmap")]
    [InlineData("m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=ssrc:-1 cname:x\r\n", "bad a=ssrc")]
    [InlineData("m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=setup:sometimes\r\n", "bad a=setup")]
    [InlineData("m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=fingerprint:sha-256 ZZ:00\r\n", "bad a=fingerprint")]
    [InlineData("m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n", "share a=mid:0")]
    [InlineData("", "no m= line")]
    public void Parse_Malformed_ThrowsNamingTheProblem(string media, string expected)
    {
        var error = Assert.Throws<WebRtcSdpException>(() => WebRtcOffer.Parse(Minimal(media)));

        Assert.Contains(expected, error.Message);
        Assert.IsAssignableFrom<FormatException>(error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("o=- 1 2 IN IP4 127.0.0.1\r\nv=0\r\n")]
    [InlineData("v=0\r\nthis is not sdp\r\n")]
    public void Parse_NotSdp_Throws(string text)
    {
        Assert.Throws<WebRtcSdpException>(() => WebRtcOffer.Parse(text));
    }

    [Fact]
    public void Parse_BundleNamesUnknownMid_Throws()
    {
        var error = Assert.Throws<WebRtcSdpException>(() => WebRtcOffer.Parse(SampleOffers.ObsWhip.Replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 7")));

        Assert.Contains("mid 7", error.Message);
    }

    [Fact]
    public void Parse_OneMebibyte_Refused()
    {
        var huge = SampleOffers.ChromeWhip + new string('a', 1024 * 1024);

        var error = Assert.Throws<WebRtcSdpException>(() => WebRtcOffer.Parse(huge));

        Assert.Contains("over the 65536 limit", error.Message);
    }

    [Fact]
    public void Parse_TenThousandMediaLines_Refused()
    {
        var text = new StringBuilder(Minimal(""));
        for (var i = 0; i < 10_000; i++)
        {
            text.Append("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:").Append(i).Append("\r\n");
        }

        Assert.Throws<WebRtcSdpException>(() => WebRtcOffer.Parse(text.ToString()));
    }

    [Fact]
    public void Parse_SeventeenMediaSectionsWithinLengthLimit_RefusedByCount()
    {
        var media = string.Concat(Enumerable.Range(0, 17).Select(i => $"m=audio 9 UDP/TLS/RTP/SAVPF 111\na=mid:{i}\n"));

        var error = Assert.Throws<WebRtcSdpException>(() => WebRtcOffer.Parse(Minimal(media)));

        Assert.Contains("more than 16 m= sections", error.Message);
    }

    [Fact]
    public void Parse_129PayloadTypes_Refused()
    {
        var types = string.Join(' ', Enumerable.Range(0, 128).Append(96));

        var error = Assert.Throws<WebRtcSdpException>(() => WebRtcOffer.Parse(Minimal($"m=video 9 UDP/TLS/RTP/SAVPF {types}\na=mid:0\n")));

        Assert.Contains("more than 128 payload types", error.Message);
    }

    /// <summary>A session with transport attributes at session level and the given m= sections.</summary>
    internal static string Minimal(string media) =>
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n" +
        "a=fingerprint:sha-256 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F\r\n" +
        media;
}
