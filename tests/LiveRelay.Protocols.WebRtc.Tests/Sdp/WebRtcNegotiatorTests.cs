using LiveRelay.Protocols.WebRtc.Sdp;

namespace LiveRelay.Protocols.WebRtc.Tests.Sdp;

public sealed class WebRtcNegotiatorTests
{
    private const string OurFingerprint = "sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

    [Fact]
    public void Answer_ChromeWhip_ChoosesH264_42e01f_WithRtxAndOfferedFeedback()
    {
        var answer = WebRtcNegotiator.Answer(WebRtcOffer.Parse(SampleOffers.ChromeWhip), Options(receive: true));

        var video = Assert.IsType<NegotiatedMedia>(answer.Video);
        Assert.Equal(("1", 106, (int?)107, 90000), (video.Mid, video.PayloadType, video.RtxPayloadType, video.ClockRate));
        Assert.Equal("42e01f", video.Format["profile-level-id"]);
        Assert.Equal(new[] { "nack", "nack pli", "ccm fir", "goog-remb" }, video.Feedback); // transport-cc left out: we send no transport-wide feedback
        Assert.Equal(((uint?)1510285542, (uint?)3338232040), (video.RemoteSsrc, video.RemoteRtxSsrc));
        Assert.Equal("recvonly", video.Direction);
        Assert.Equal(
            new[] { (4, "urn:ietf:params:rtp-hdrext:sdes:mid") },
            video.Extensions);
        var audio = Assert.IsType<NegotiatedMedia>(answer.Audio);
        Assert.Equal(("0", 111, (int?)null, 48000, 2), (audio.Mid, audio.PayloadType, audio.RtxPayloadType, audio.ClockRate, audio.Channels));
        Assert.Equal((uint?)3485940486, audio.RemoteSsrc);
        Assert.Equal(4, answer.MidExtensionId);
        Assert.Equal(("EsAw", "bP+XJMM09aR8AiX1jdukzR6Y"), (answer.RemoteUfrag, answer.RemotePwd));
        Assert.Equal("sha-256", answer.RemoteFingerprint.Algorithm);
        Assert.Equal(new byte[] { 0xDA, 0x7B, 0x57 }, answer.RemoteFingerprint.Bytes[..3]);
        Assert.Equal(32, answer.RemoteFingerprint.Bytes.Length);
        Assert.Equal(new[] { "0", "1" }, answer.BundleMids);
    }

    [Fact]
    public void Answer_ChromeWhip_SdpLines()
    {
        var sdp = WebRtcNegotiator.Answer(WebRtcOffer.Parse(SampleOffers.ChromeWhip), Options(receive: true)).Sdp;
        var lines = Lines(sdp);

        Assert.EndsWith("\r\n", sdp);
        Assert.DoesNotContain("\n", sdp.Replace("\r\n", ""));
        Assert.Equal(new[] { "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=ice-lite", "a=group:BUNDLE 0 1", "a=msid-semantic: WMS *" }, lines[..7]);
        Assert.Equal(
            new[]
            {
                "m=audio 9 UDP/TLS/RTP/SAVPF 111",
                "c=IN IP4 0.0.0.0",
                "a=mid:0",
                "a=ice-ufrag:lrUf8x+/",
                "a=ice-pwd:Zq3v9Kd0pW1xYb7Tn4Hs2MeA",
                $"a=fingerprint:{OurFingerprint}",
                "a=setup:passive",
                "a=rtcp-mux",
                "a=recvonly",
                "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
                "a=rtpmap:111 opus/48000/2",
                "a=fmtp:111 minptime=10;useinbandfec=1",
                "a=candidate:1 1 udp 2130706431 192.0.2.10 8189 typ host",
                "a=candidate:3 1 udp 2130706175 2001:db8::10 8189 typ host",
                "a=candidate:2 1 tcp 1518280447 192.0.2.10 8189 typ host tcptype passive",
                "a=end-of-candidates",
            },
            lines[7..23]);
        Assert.Contains("m=video 9 UDP/TLS/RTP/SAVPF 106 107", lines);
        Assert.Contains("a=rtcp-rsize", lines); // offered on video only
        Assert.Single(lines, "a=rtcp-rsize");
        Assert.Contains("a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", lines);
        Assert.Contains("a=rtpmap:107 rtx/90000", lines);
        Assert.Contains("a=fmtp:107 apt=106", lines);
        Assert.Equal(2, lines.Count(l => l == "a=recvonly"));
        Assert.Equal(2, lines.Count(l => l == "a=end-of-candidates"));
        Assert.DoesNotContain(lines, l => l.StartsWith("a=ssrc") || l.Contains("VP8") || l.Contains("abs-send-time") || l.Contains("transport-cc") || l.Contains("transport-wide-cc"));
    }

    [Fact]
    public void Answer_FirefoxWhip_PrefersPm1_42e01fOverPm0AndBaseline()
    {
        var answer = WebRtcNegotiator.Answer(WebRtcOffer.Parse(SampleOffers.FirefoxWhip), Options(receive: true));

        Assert.Equal((126, (int?)127), (answer.Video!.PayloadType, answer.Video.RtxPayloadType));
        Assert.Equal(109, answer.Audio!.PayloadType);
        Assert.Equal(("48000", "1", "1"), (answer.Audio.Format["maxplaybackrate"], answer.Audio.Format["stereo"], answer.Audio.Format["useinbandfec"]));
        Assert.Equal(3, answer.MidExtensionId);
        Assert.Equal((uint?)2656417285, answer.Audio.RemoteSsrc);
        Assert.Equal(new byte[] { 0x5B, 0x1E }, answer.RemoteFingerprint.Bytes[..2]);
        Assert.Contains("a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1", Lines(answer.Sdp));
        Assert.DoesNotContain("a=extmap:7 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", Lines(answer.Sdp));
    }

    [Fact]
    public void Answer_ObsWhip_OneH264NoRtxNoMidExtension()
    {
        var answer = WebRtcNegotiator.Answer(WebRtcOffer.Parse(SampleOffers.ObsWhip), Options(receive: true));
        var lines = Lines(answer.Sdp);

        Assert.Equal((96, (int?)null), (answer.Video!.PayloadType, answer.Video.RtxPayloadType));
        Assert.Equal(new[] { "nack", "nack pli", "goog-remb" }, answer.Video.Feedback);
        Assert.Equal((uint?)3388068601, answer.Video.RemoteSsrc);
        Assert.Null(answer.MidExtensionId);
        Assert.Equal(("nxcM", "ezjAjgSSLLvbRhUA1zc6Se"), (answer.RemoteUfrag, answer.RemotePwd));
        Assert.Contains("m=video 9 UDP/TLS/RTP/SAVPF 96", lines);
        Assert.Contains("a=fmtp:96 profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1", lines);
        Assert.Contains("a=fmtp:111 minptime=10;maxaveragebitrate=96000;stereo=1;sprop-stereo=1;useinbandfec=1", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("a=extmap") || l.StartsWith("a=rtcp-rsize") || l.Contains("transport-cc"));
    }

    [Fact]
    public void Answer_ChromeWhep_SendonlyWithOurSsrcsInOfferOrder()
    {
        var options = Options(receive: false) with { VideoRtxSsrc = 0x0A0B0C0D };

        var answer = WebRtcNegotiator.Answer(WebRtcOffer.Parse(SampleOffers.ChromeWhep), options);
        var lines = Lines(answer.Sdp);

        Assert.Equal(("0", "1"), (answer.Video!.Mid, answer.Audio!.Mid));
        Assert.Equal("a=group:BUNDLE 0 1", lines[5]);
        Assert.True(lines.IndexOf("m=video 9 UDP/TLS/RTP/SAVPF 106 107") < lines.IndexOf("m=audio 9 UDP/TLS/RTP/SAVPF 111"));
        Assert.Equal(2, lines.Count(l => l == "a=sendonly"));
        Assert.DoesNotContain("a=recvonly", lines);
        Assert.Contains("a=msid:liverelay liverelay-video", lines);
        Assert.Contains("a=ssrc-group:FID 287454020 168496141", lines);
        Assert.Contains("a=ssrc:287454020 cname:liverelay", lines);
        Assert.Contains("a=ssrc:168496141 cname:liverelay", lines);
        Assert.Contains("a=msid:liverelay liverelay-audio", lines);
        Assert.Contains("a=ssrc:1432778632 cname:liverelay", lines);
        Assert.Contains("a=ssrc:1432778632 msid:liverelay liverelay-audio", lines);
        Assert.Null(answer.Video.RemoteSsrc);
    }

    [Fact]
    public void Answer_WhipOfferAnsweredAsWhep_RefusedNamingDirection()
    {
        var error = Assert.Throws<WebRtcSdpException>(() => WebRtcNegotiator.Answer(WebRtcOffer.Parse(SampleOffers.ChromeWhip), Options(receive: false)));

        Assert.Contains("sendonly", error.Message);
        Assert.Contains("WHEP", error.Message);
    }

    [Fact]
    public void Answer_WhepOfferAnsweredAsWhip_RefusedNamingDirection()
    {
        var error = Assert.Throws<WebRtcSdpException>(() => WebRtcNegotiator.Answer(WebRtcOffer.Parse(SampleOffers.ChromeWhep), Options(receive: true)));

        Assert.Contains("recvonly", error.Message);
        Assert.Contains("WHIP", error.Message);
    }

    [Fact]
    public void Answer_Vp8AndPcmuOnly_RefusedNoUsableCodec()
    {
        var offer = WebRtcOffer.Parse(WebRtcOfferTests.Minimal(
            "a=group:BUNDLE 0 1\r\n" +
            "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\n" +
            "m=video 9 UDP/TLS/RTP/SAVPF 96 104\r\na=mid:1\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n" +
            "a=rtpmap:104 H264/90000\r\na=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f\r\n"));

        var error = Assert.Throws<WebRtcSdpException>(() => WebRtcNegotiator.Answer(offer, Options(receive: true)));

        Assert.Equal("no usable codec: H.264 (packetization-mode=1) or Opus required", error.Message);
    }

    [Fact]
    public void Answer_VideoWithoutPm1_VideoPortZeroInactiveMidKeptAudioAccepted()
    {
        var withoutPm1 = SampleOffers.ChromeWhip
            .Replace("packetization-mode=1;", "packetization-mode=0;");

        var answer = WebRtcNegotiator.Answer(WebRtcOffer.Parse(withoutPm1), Options(receive: true));
        var lines = Lines(answer.Sdp);

        Assert.Null(answer.Video);
        Assert.NotNull(answer.Audio);
        Assert.Equal(new[] { "0" }, answer.BundleMids);
        Assert.Contains("a=group:BUNDLE 0", lines);
        var video = lines.IndexOf("m=video 0 UDP/TLS/RTP/SAVPF 96");
        Assert.Equal(new[] { "c=IN IP4 0.0.0.0", "a=mid:1", "a=inactive" }, lines[(video + 1)..(video + 4)]);
        Assert.Equal(video + 4, lines.Count);
    }

    [Fact]
    public void Answer_DataChannelSection_RejectedWithMidKept()
    {
        var withData = SampleOffers.ObsWhip.Replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2")
            + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\na=sctp-port:5000\r\n";

        var answer = WebRtcNegotiator.Answer(WebRtcOffer.Parse(withData), Options(receive: true));
        var lines = Lines(answer.Sdp);

        Assert.Equal(new[] { "0", "1" }, answer.BundleMids);
        Assert.Equal(new[] { "m=application 0 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0", "a=mid:2", "a=inactive" }, lines[^4..]);
    }

    [Theory]
    [InlineData("42001f:1 42e01f:1", 97)] // 42e01f wins regardless of order
    [InlineData("4d001f:1 42001f:1", 97)] // then baseline / constrained baseline
    [InlineData("640c1f:1 4d001f:1", 96)] // then any pm=1, first offered
    [InlineData("42e01f:0 64001f:1", 97)] // pm=0 never
    [InlineData("42e01f:1 42e01f:1", 96)]
    public void Answer_H264Profiles_PreferenceOrder(string profiles, int expected)
    {
        var codecs = profiles.Split(' ').Select((p, i) => (Pt: 96 + i, Profile: p.Split(':')[0], Mode: p.Split(':')[1])).ToList();
        var media = $"m=video 9 UDP/TLS/RTP/SAVPF {string.Join(' ', codecs.Select(c => c.Pt))}\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\n" +
            string.Concat(codecs.Select(c => $"a=rtpmap:{c.Pt} H264/90000\r\na=fmtp:{c.Pt} packetization-mode={c.Mode};profile-level-id={c.Profile}\r\n"));

        var answer = WebRtcNegotiator.Answer(WebRtcOffer.Parse(WebRtcOfferTests.Minimal(media)), Options(receive: true));

        Assert.Equal(expected, answer.Video!.PayloadType);
        Assert.Null(answer.Audio);
    }

    [Fact]
    public void Answer_Reparsed_OurTransportIceLiteCandidatesAndBundle()
    {
        var options = Options(receive: true);
        var withoutPm1 = SampleOffers.ChromeWhip.Replace("packetization-mode=1;", "packetization-mode=0;");

        foreach (var offer in new[] { SampleOffers.ChromeWhip, SampleOffers.FirefoxWhip, SampleOffers.ObsWhip, withoutPm1 })
        {
            var answer = WebRtcNegotiator.Answer(WebRtcOffer.Parse(offer), options);
            var reparsed = WebRtcOffer.Parse(answer.Sdp);
            var lines = Lines(answer.Sdp);

            Assert.Equal((options.IceUfrag, options.IcePwd, "passive"), (reparsed.IceUfrag, reparsed.IcePwd, reparsed.Setup));
            Assert.Equal(options.Fingerprint, reparsed.Fingerprint.ToString());
            Assert.Equal(answer.BundleMids, reparsed.BundleMids);
            Assert.Equal(WebRtcOffer.Parse(offer).Media.Select(m => m.Mid), reparsed.Media.Select(m => m.Mid));
            Assert.Contains("a=ice-lite", lines);
            Assert.All(reparsed.Media.Where(m => answer.BundleMids.Contains(m.Mid)), m => Assert.True(m.RtcpMux && m.Port == 9));
            Assert.All(reparsed.Media.Where(m => !answer.BundleMids.Contains(m.Mid)), m => Assert.Equal((0, "inactive"), (m.Port, m.Direction)));
            Assert.Equal(answer.BundleMids.Count * 3, lines.Count(l => l.StartsWith("a=candidate:")));
            Assert.Contains("a=candidate:1 1 udp 2130706431 192.0.2.10 8189 typ host", lines);
            Assert.Contains("a=candidate:3 1 udp 2130706175 2001:db8::10 8189 typ host", lines);
            Assert.Contains("a=candidate:2 1 tcp 1518280447 192.0.2.10 8189 typ host tcptype passive", lines);
        }
    }

    [Fact]
    public void Answer_PlainRtpAvpSection_Rejected()
    {
        var plain = SampleOffers.ObsWhip.Replace("m=audio 57249 UDP/TLS/RTP/SAVPF 111", "m=audio 57249 RTP/AVP 111");

        var answer = WebRtcNegotiator.Answer(WebRtcOffer.Parse(plain), Options(receive: true));

        Assert.Null(answer.Audio);
        Assert.Contains("m=audio 0 RTP/AVP 111", Lines(answer.Sdp));
    }

    [Fact]
    public void Answer_NoRtcpMux_Refused()
    {
        var error = Assert.Throws<WebRtcSdpException>(() =>
            WebRtcNegotiator.Answer(WebRtcOffer.Parse(SampleOffers.ObsWhip.Replace("a=rtcp-mux\r\n", "")), Options(receive: true)));

        Assert.Contains("rtcp-mux required", error.Message);
    }

    [Fact]
    public void Answer_TwoMediaWithoutBundle_Refused()
    {
        var error = Assert.Throws<WebRtcSdpException>(() =>
            WebRtcNegotiator.Answer(WebRtcOffer.Parse(SampleOffers.ObsWhip.Replace("a=group:BUNDLE 0 1\r\n", "")), Options(receive: true)));

        Assert.Contains("BUNDLE required", error.Message);
    }

    [Fact]
    public void Answer_MediaOutsideBundleGroup_Rejected()
    {
        var answer = WebRtcNegotiator.Answer(WebRtcOffer.Parse(SampleOffers.ObsWhip.Replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 1")), Options(receive: true));

        Assert.Null(answer.Audio);
        Assert.Equal(new[] { "1" }, answer.BundleMids);
    }

    [Fact]
    public void Answer_OfferSetupPassive_Refused()
    {
        var error = Assert.Throws<WebRtcSdpException>(() =>
            WebRtcNegotiator.Answer(WebRtcOffer.Parse(SampleOffers.ObsWhip.Replace("a=setup:actpass", "a=setup:passive")), Options(receive: true)));

        Assert.Contains("setup:passive", error.Message);
    }

    [Fact]
    public void Answer_SecondVideoSection_Rejected()
    {
        var twoVideos = SampleOffers.ObsWhip.Replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2")
            + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:2\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n";

        var answer = WebRtcNegotiator.Answer(WebRtcOffer.Parse(twoVideos), Options(receive: true));

        Assert.Equal("1", answer.Video!.Mid);
        Assert.Equal(new[] { "0", "1" }, answer.BundleMids);
        Assert.Contains("m=video 0 UDP/TLS/RTP/SAVPF 96", Lines(answer.Sdp));
    }

    [Fact]
    public void Answer_InvalidOptions_ArgumentException()
    {
        var offer = WebRtcOffer.Parse(SampleOffers.ObsWhip);

        Assert.Throws<ArgumentException>(() => WebRtcNegotiator.Answer(offer, Options(true) with { IcePwd = "short" }));
        Assert.Throws<ArgumentException>(() => WebRtcNegotiator.Answer(offer, Options(true) with { IceUfrag = "a:b" }));
        Assert.Throws<ArgumentException>(() => WebRtcNegotiator.Answer(offer, Options(true) with { Fingerprint = "sha-256 nothex" }));
        Assert.Throws<ArgumentException>(() => WebRtcNegotiator.Answer(offer, Options(true) with { SessionId = "12a" }));
        Assert.Throws<ArgumentException>(() => WebRtcNegotiator.Answer(offer, Options(true) with { UdpCandidates = [], TcpCandidates = [] }));
        Assert.Throws<ArgumentException>(() => WebRtcNegotiator.Answer(offer, Options(true) with { UdpCandidates = [("192.0.2.1", 0)] }));
    }

    private static WebRtcAnswerOptions Options(bool receive) => new()
    {
        Receive = receive,
        IceUfrag = "lrUf8x+/",
        IcePwd = "Zq3v9Kd0pW1xYb7Tn4Hs2MeA",
        Fingerprint = OurFingerprint,
        SessionId = "4611731400430051336",
        UdpCandidates = [("192.0.2.10", 8189), ("2001:db8::10", 8189)],
        TcpCandidates = [("192.0.2.10", 8189)],
        VideoSsrc = 0x11223344,
        AudioSsrc = 0x55667788,
    };

    private static List<string> Lines(string sdp) => sdp.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).ToList();
}
