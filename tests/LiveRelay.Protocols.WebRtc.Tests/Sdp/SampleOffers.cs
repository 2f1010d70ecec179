namespace LiveRelay.Protocols.WebRtc.Tests.Sdp;

/// <summary>
/// Offers as real WHIP/WHEP clients send them, modelled on captures published in the WHIP draft,
/// OvenMediaEngine, SRS, tinywhip and go2rtc issue threads: Chrome 120+ (m-level transport, the full
/// VP8/H.264/AV1/VP9 list with rtx, ssrc-group FID), Firefox 121 (session-level fingerprint,
/// attributes sorted by name), OBS 30 via libdatachannel (everything at session level, opus + one
/// H.264), and a Chrome WHEP player (recvonly, candidates gathered). Sent with CRLF.
/// </summary>
internal static class SampleOffers
{
    public const string ChromeFingerprint = "sha-256 DA:7B:57:DC:28:CE:04:4F:31:79:85:C4:31:67:EB:27:58:29:ED:77:2A:0D:24:AE:ED:AD:30:BC:BD:F1:9C:02";

    /// <summary>Chrome's video payload list (M120): each codec with its rtcp-fb, then rtx with apt.</summary>
    private const string ChromeVideoCodecs = """
        a=rtpmap:96 VP8/90000
        a=rtcp-fb:96 goog-remb
        a=rtcp-fb:96 transport-cc
        a=rtcp-fb:96 ccm fir
        a=rtcp-fb:96 nack
        a=rtcp-fb:96 nack pli
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=rtpmap:102 H264/90000
        a=rtcp-fb:102 goog-remb
        a=rtcp-fb:102 transport-cc
        a=rtcp-fb:102 ccm fir
        a=rtcp-fb:102 nack
        a=rtcp-fb:102 nack pli
        a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
        a=rtpmap:103 rtx/90000
        a=fmtp:103 apt=102
        a=rtpmap:104 H264/90000
        a=rtcp-fb:104 goog-remb
        a=rtcp-fb:104 transport-cc
        a=rtcp-fb:104 ccm fir
        a=rtcp-fb:104 nack
        a=rtcp-fb:104 nack pli
        a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f
        a=rtpmap:105 rtx/90000
        a=fmtp:105 apt=104
        a=rtpmap:106 H264/90000
        a=rtcp-fb:106 goog-remb
        a=rtcp-fb:106 transport-cc
        a=rtcp-fb:106 ccm fir
        a=rtcp-fb:106 nack
        a=rtcp-fb:106 nack pli
        a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
        a=rtpmap:107 rtx/90000
        a=fmtp:107 apt=106
        a=rtpmap:108 H264/90000
        a=rtcp-fb:108 goog-remb
        a=rtcp-fb:108 transport-cc
        a=rtcp-fb:108 ccm fir
        a=rtcp-fb:108 nack
        a=rtcp-fb:108 nack pli
        a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f
        a=rtpmap:109 rtx/90000
        a=fmtp:109 apt=108
        a=rtpmap:127 H264/90000
        a=rtcp-fb:127 goog-remb
        a=rtcp-fb:127 transport-cc
        a=rtcp-fb:127 ccm fir
        a=rtcp-fb:127 nack
        a=rtcp-fb:127 nack pli
        a=fmtp:127 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f
        a=rtpmap:125 rtx/90000
        a=fmtp:125 apt=127
        a=rtpmap:39 H264/90000
        a=rtcp-fb:39 goog-remb
        a=rtcp-fb:39 transport-cc
        a=rtcp-fb:39 ccm fir
        a=rtcp-fb:39 nack
        a=rtcp-fb:39 nack pli
        a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f
        a=rtpmap:40 rtx/90000
        a=fmtp:40 apt=39
        a=rtpmap:45 AV1/90000
        a=rtcp-fb:45 goog-remb
        a=rtcp-fb:45 transport-cc
        a=rtcp-fb:45 ccm fir
        a=rtcp-fb:45 nack
        a=rtcp-fb:45 nack pli
        a=fmtp:45 level-idx=5;profile=0;tier=0
        a=rtpmap:46 rtx/90000
        a=fmtp:46 apt=45
        a=rtpmap:98 VP9/90000
        a=rtcp-fb:98 goog-remb
        a=rtcp-fb:98 transport-cc
        a=rtcp-fb:98 ccm fir
        a=rtcp-fb:98 nack
        a=rtcp-fb:98 nack pli
        a=fmtp:98 profile-id=0
        a=rtpmap:99 rtx/90000
        a=fmtp:99 apt=98
        a=rtpmap:100 VP9/90000
        a=rtcp-fb:100 goog-remb
        a=rtcp-fb:100 transport-cc
        a=rtcp-fb:100 ccm fir
        a=rtcp-fb:100 nack
        a=rtcp-fb:100 nack pli
        a=fmtp:100 profile-id=2
        a=rtpmap:101 rtx/90000
        a=fmtp:101 apt=100
        a=rtpmap:112 H264/90000
        a=rtcp-fb:112 goog-remb
        a=rtcp-fb:112 transport-cc
        a=rtcp-fb:112 ccm fir
        a=rtcp-fb:112 nack
        a=rtcp-fb:112 nack pli
        a=fmtp:112 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f
        a=rtpmap:113 rtx/90000
        a=fmtp:113 apt=112
        a=rtpmap:116 red/90000
        a=rtpmap:117 rtx/90000
        a=fmtp:117 apt=116
        a=rtpmap:118 ulpfec/90000
        """;

    private const string ChromeVideoExtmaps = """
        a=extmap:14 urn:ietf:params:rtp-hdrext:toffset
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:13 urn:3gpp:video-orientation
        a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
        a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type
        a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing
        a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
        a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
        """;

    private const string ChromeAudioCodecs = """
        a=rtpmap:111 opus/48000/2
        a=rtcp-fb:111 transport-cc
        a=fmtp:111 minptime=10;useinbandfec=1
        a=rtpmap:63 red/48000/2
        a=fmtp:63 111/111
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:13 CN/8000
        a=rtpmap:110 telephone-event/48000
        a=rtpmap:126 telephone-event/8000
        """;

    /// <summary>Chrome 120+ publishing with WHIP: addTransceiver(track, { direction: "sendonly" }) for audio then video.</summary>
    public static readonly string ChromeWhip = Crlf($$"""
        v=0
        o=- 5228595038118931041 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0 1
        a=extmap-allow-mixed
        a=msid-semantic: WMS
        m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:EsAw
        a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y
        a=ice-options:trickle
        a=fingerprint:{{ChromeFingerprint}}
        a=setup:actpass
        a=mid:0
        a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=sendonly
        a=msid:- d46fb922-d52a-4e9c-aa87-444eadc1521b
        a=rtcp-mux
        {{ChromeAudioCodecs}}
        a=ssrc:3485940486 cname:Ze2WE3JyQw4Cf9GI
        a=ssrc:3485940486 msid:- d46fb922-d52a-4e9c-aa87-444eadc1521b
        m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 40 45 46 98 99 100 101 112 113 116 117 118
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:EsAw
        a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y
        a=ice-options:trickle
        a=fingerprint:{{ChromeFingerprint}}
        a=setup:actpass
        a=mid:1
        {{ChromeVideoExtmaps}}
        a=sendonly
        a=msid:- 75835b2e-9f93-4b7c-9b0a-f0b5c8e6e1e3
        a=rtcp-mux
        a=rtcp-rsize
        {{ChromeVideoCodecs}}
        a=ssrc-group:FID 1510285542 3338232040
        a=ssrc:1510285542 cname:Ze2WE3JyQw4Cf9GI
        a=ssrc:1510285542 msid:- 75835b2e-9f93-4b7c-9b0a-f0b5c8e6e1e3
        a=ssrc:3338232040 cname:Ze2WE3JyQw4Cf9GI
        a=ssrc:3338232040 msid:- 75835b2e-9f93-4b7c-9b0a-f0b5c8e6e1e3

        """);

    /// <summary>A Chrome WHEP player: recvonly video then audio, ICE gathered before the POST (candidates, real port).</summary>
    public static readonly string ChromeWhep = Crlf($$"""
        v=0
        o=- 8302999682125171423 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0 1
        a=extmap-allow-mixed
        a=msid-semantic: WMS
        m=video 52200 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 40 45 46 98 99 100 101 112 113 116 117 118
        c=IN IP4 192.168.1.20
        a=rtcp:9 IN IP4 0.0.0.0
        a=candidate:1560499547 1 udp 2122260223 192.168.1.20 52200 typ host generation 0 network-id 1 network-cost 10
        a=candidate:4234997325 1 tcp 1518280447 192.168.1.20 9 typ host tcptype active generation 0 network-id 1 network-cost 10
        a=ice-ufrag:gydc
        a=ice-pwd:qEA+KCGezaoGknNYbpAADXBK
        a=ice-options:trickle
        a=fingerprint:sha-256 03:63:4B:E0:AA:51:4E:82:82:EE:A6:A9:4F:6E:4E:95:72:E5:AE:CD:CB:89:F0:1F:E4:C9:CA:27:02:1F:26:6A
        a=setup:actpass
        a=mid:0
        {{ChromeVideoExtmaps}}
        a=recvonly
        a=rtcp-mux
        a=rtcp-rsize
        {{ChromeVideoCodecs}}
        m=audio 52200 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
        c=IN IP4 192.168.1.20
        a=rtcp:9 IN IP4 0.0.0.0
        a=candidate:1560499547 1 udp 2122260223 192.168.1.20 52200 typ host generation 0 network-id 1 network-cost 10
        a=ice-ufrag:gydc
        a=ice-pwd:qEA+KCGezaoGknNYbpAADXBK
        a=ice-options:trickle
        a=fingerprint:sha-256 03:63:4B:E0:AA:51:4E:82:82:EE:A6:A9:4F:6E:4E:95:72:E5:AE:CD:CB:89:F0:1F:E4:C9:CA:27:02:1F:26:6A
        a=setup:actpass
        a=mid:1
        a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=recvonly
        a=rtcp-mux
        {{ChromeAudioCodecs}}

        """);

    /// <summary>Firefox 121 publishing with WHIP: fingerprint at session level, media attributes sorted by name.</summary>
    public static readonly string FirefoxWhip = Crlf("""
        v=0
        o=mozilla...THIS_IS_SDPARTA-121.0 4385838473853720376 0 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=fingerprint:sha-256 5B:1E:7F:0A:22:93:4C:88:10:AB:CD:EF:01:23:45:67:89:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:11:22:33
        a=group:BUNDLE 0 1
        a=ice-options:trickle
        a=msid-semantic:WMS *
        m=audio 9 UDP/TLS/RTP/SAVPF 109 9 0 8 101
        c=IN IP4 0.0.0.0
        a=sendonly
        a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level
        a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
        a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1
        a=fmtp:101 0-15
        a=ice-pwd:e3b1f2c0a9d84f6e8b7c6d5e4f3a2b1c
        a=ice-ufrag:7a1c2b3d
        a=mid:0
        a=msid:{6a3e1c1e-2b0f-4d7a-9d47-2b5f3c0e9a11} {b0c1d2e3-f405-4617-8899-aabbccddeeff}
        a=rtcp-mux
        a=rtpmap:109 opus/48000/2
        a=rtpmap:9 G722/8000/1
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:101 telephone-event/8000/1
        a=setup:actpass
        a=ssrc:2656417285 cname:{0a4a6d0e-5c0b-4f0e-b1a4-6f2a9d1e7c55}
        m=video 9 UDP/TLS/RTP/SAVPF 120 124 121 125 126 127 97 98 105 106 103 104 123 122 119
        c=IN IP4 0.0.0.0
        a=sendonly
        a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:4 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:5 urn:ietf:params:rtp-hdrext:toffset
        a=extmap:6/recvonly http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
        a=extmap:7 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=fmtp:126 profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1
        a=fmtp:97 profile-level-id=42e01f;level-asymmetry-allowed=1
        a=fmtp:105 profile-level-id=42001f;level-asymmetry-allowed=1;packetization-mode=1
        a=fmtp:103 profile-level-id=42001f;level-asymmetry-allowed=1
        a=fmtp:120 max-fs=12288;max-fr=60
        a=fmtp:124 apt=120
        a=fmtp:121 max-fs=12288;max-fr=60
        a=fmtp:125 apt=121
        a=fmtp:127 apt=126
        a=fmtp:98 apt=97
        a=fmtp:106 apt=105
        a=fmtp:104 apt=103
        a=fmtp:119 apt=122
        a=ice-pwd:e3b1f2c0a9d84f6e8b7c6d5e4f3a2b1c
        a=ice-ufrag:7a1c2b3d
        a=mid:1
        a=msid:{6a3e1c1e-2b0f-4d7a-9d47-2b5f3c0e9a11} {c5d6e7f8-0912-4a3b-8c4d-5e6f7a8b9c0d}
        a=rtcp-fb:120 nack
        a=rtcp-fb:120 nack pli
        a=rtcp-fb:120 ccm fir
        a=rtcp-fb:120 goog-remb
        a=rtcp-fb:120 transport-cc
        a=rtcp-fb:121 nack
        a=rtcp-fb:121 nack pli
        a=rtcp-fb:121 ccm fir
        a=rtcp-fb:121 goog-remb
        a=rtcp-fb:121 transport-cc
        a=rtcp-fb:126 nack
        a=rtcp-fb:126 nack pli
        a=rtcp-fb:126 ccm fir
        a=rtcp-fb:126 goog-remb
        a=rtcp-fb:126 transport-cc
        a=rtcp-fb:97 nack
        a=rtcp-fb:97 nack pli
        a=rtcp-fb:97 ccm fir
        a=rtcp-fb:97 goog-remb
        a=rtcp-fb:97 transport-cc
        a=rtcp-fb:105 nack
        a=rtcp-fb:105 nack pli
        a=rtcp-fb:105 ccm fir
        a=rtcp-fb:105 goog-remb
        a=rtcp-fb:105 transport-cc
        a=rtcp-fb:103 nack
        a=rtcp-fb:103 nack pli
        a=rtcp-fb:103 ccm fir
        a=rtcp-fb:103 goog-remb
        a=rtcp-fb:103 transport-cc
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:120 VP8/90000
        a=rtpmap:124 rtx/90000
        a=rtpmap:121 VP9/90000
        a=rtpmap:125 rtx/90000
        a=rtpmap:126 H264/90000
        a=rtpmap:127 rtx/90000
        a=rtpmap:97 H264/90000
        a=rtpmap:98 rtx/90000
        a=rtpmap:105 H264/90000
        a=rtpmap:106 rtx/90000
        a=rtpmap:103 H264/90000
        a=rtpmap:104 rtx/90000
        a=rtpmap:123 ulpfec/90000
        a=rtpmap:122 red/90000
        a=rtpmap:119 rtx/90000
        a=setup:actpass
        a=ssrc:1204873596 cname:{0a4a6d0e-5c0b-4f0e-b1a4-6f2a9d1e7c55}
        a=ssrc:3470851249 cname:{0a4a6d0e-5c0b-4f0e-b1a4-6f2a9d1e7c55}
        a=ssrc-group:FID 1204873596 3470851249

        """);

    /// <summary>OBS 30 (libdatachannel): transport at session level, group LS, real ports and candidates, opus + one H.264.</summary>
    public static readonly string ObsWhip = Crlf("""
        v=0
        o=rtc 3877212184 0 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0 1
        a=group:LS 0 1
        a=msid-semantic:WMS *
        a=setup:actpass
        a=ice-ufrag:nxcM
        a=ice-pwd:ezjAjgSSLLvbRhUA1zc6Se
        a=ice-options:ice2,trickle
        a=fingerprint:sha-256 4E:7F:77:DB:7E:A3:A6:4E:5D:27:EB:39:D2:1B:96:9F:91:C9:58:8B:30:B4:AA:0F:77:60:5A:F3:86:60:03:F3
        m=audio 57249 UDP/TLS/RTP/SAVPF 111
        c=IN IP4 192.168.188.53
        a=mid:0
        a=sendonly
        a=ssrc:3388068600 cname:Yuu1KDxQcc3L5CpY
        a=ssrc:3388068600 msid:XmQSKutZo7zYcEQl XmQSKutZo7zYcEQl-audio
        a=msid:XmQSKutZo7zYcEQl XmQSKutZo7zYcEQl-audio
        a=rtcp-mux
        a=rtpmap:111 opus/48000/2
        a=fmtp:111 minptime=10;maxaveragebitrate=96000;stereo=1;sprop-stereo=1;useinbandfec=1
        a=candidate:1 1 UDP 2122317823 192.168.188.53 57249 typ host
        a=candidate:2 1 UDP 1686109951 203.0.113.77 57249 typ srflx raddr 0.0.0.0 rport 0
        a=end-of-candidates
        m=video 57249 UDP/TLS/RTP/SAVPF 96
        c=IN IP4 192.168.188.53
        a=mid:1
        a=sendonly
        a=ssrc:3388068601 cname:Yuu1KDxQcc3L5CpY
        a=ssrc:3388068601 msid:XmQSKutZo7zYcEQl XmQSKutZo7zYcEQl-video
        a=msid:XmQSKutZo7zYcEQl XmQSKutZo7zYcEQl-video
        a=rtcp-mux
        a=rtpmap:96 H264/90000
        a=rtcp-fb:96 nack
        a=rtcp-fb:96 nack pli
        a=rtcp-fb:96 goog-remb
        a=fmtp:96 profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1

        """);

    public static string Crlf(string text) => text.ReplaceLineEndings("\r\n");
}
