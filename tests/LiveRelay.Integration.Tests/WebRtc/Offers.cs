namespace LiveRelay.Integration.Tests.WebRtc;

/// <summary>WHIP offers as Chromium writes them (trimmed of extensions that do not matter here).</summary>
internal static class Offers
{
    private const string Session =
        "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS stream\r\n";

    private const string Audio =
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n" +
        "a=ice-ufrag:Bz9q\r\na=ice-pwd:Q2v8Pk4j5gqGzQ1uKq0bXxYn\r\na=ice-options:trickle\r\n" +
        "a=fingerprint:sha-256 4F:1C:8E:0B:6A:92:3D:77:E1:05:B8:2C:94:AF:10:6E:39:D2:7B:C4:58:0A:E3:91:2F:66:DB:17:84:C0:5E:A9\r\n" +
        "a=setup:actpass\r\na=mid:0\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=sendonly\r\na=msid:stream audio\r\na=rtcp-mux\r\n" +
        "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:0 PCMU/8000\r\na=ssrc:1001 cname:fake\r\n";

    private const string VideoHead =
        "c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n" +
        "a=ice-ufrag:Bz9q\r\na=ice-pwd:Q2v8Pk4j5gqGzQ1uKq0bXxYn\r\na=ice-options:trickle\r\n" +
        "a=fingerprint:sha-256 4F:1C:8E:0B:6A:92:3D:77:E1:05:B8:2C:94:AF:10:6E:39:D2:7B:C4:58:0A:E3:91:2F:66:DB:17:84:C0:5E:A9\r\n" +
        "a=setup:actpass\r\na=mid:1\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=sendonly\r\na=msid:stream video\r\na=rtcp-mux\r\na=rtcp-rsize\r\n";

    public const string H264AndOpus = Session + Audio +
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103\r\n" + VideoHead +
        "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n" +
        "a=rtpmap:102 H264/90000\r\na=rtcp-fb:102 nack\r\na=rtcp-fb:102 nack pli\r\na=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n" +
        "a=rtpmap:103 rtx/90000\r\na=fmtp:103 apt=102\r\na=ssrc:2002 cname:fake\r\n";

    public static readonly string Vp8Only = Session.Replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 1", StringComparison.Ordinal) +
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n" + VideoHead +
        "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n";
}
