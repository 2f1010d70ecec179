using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LiveRelay.LoadTest.Players;

/// <summary>
/// The SDP offer a WHEP viewer posts, shaped like a browser's recvonly offer: BUNDLE of one H.264
/// (packetization-mode 1, constrained baseline) and one Opus section, rtcp-mux, our ICE credentials
/// and certificate fingerprint, <c>setup:actpass</c> (the ICE-lite server answers passive, so we are
/// the DTLS client). No candidates: the server is ICE-lite and we send the checks.
/// </summary>
internal static class WhepOffer
{
    /// <summary>The payload types we offer; the server answers with the same numbers.</summary>
    public const int VideoPayloadType = 102;

    public const int AudioPayloadType = 111;

    /// <param name="iceUfrag">Our ICE username fragment.</param>
    /// <param name="icePassword">Our ICE password.</param>
    /// <param name="fingerprint">Our certificate's <c>a=fingerprint</c> value, <c>sha-256 AB:CD:…</c>.</param>
    public static string Build(string iceUfrag, string icePassword, string fingerprint)
    {
        var sdp = new StringBuilder(1024);
        var sessionId = (ulong)RandomNumberGenerator.GetInt32(int.MaxValue) << 20;
        Line(sdp, "v=0");
        Line(sdp, string.Create(CultureInfo.InvariantCulture, $"o=- {sessionId} 2 IN IP4 127.0.0.1"));
        Line(sdp, "s=-");
        Line(sdp, "t=0 0");
        Line(sdp, "a=group:BUNDLE 0 1");
        Line(sdp, "a=msid-semantic: WMS");

        Media(sdp, "video", VideoPayloadType, "0", iceUfrag, icePassword, fingerprint);
        Line(sdp, string.Create(CultureInfo.InvariantCulture, $"a=rtpmap:{VideoPayloadType} H264/90000"));
        Line(sdp, string.Create(CultureInfo.InvariantCulture, $"a=rtcp-fb:{VideoPayloadType} nack"));
        Line(sdp, string.Create(CultureInfo.InvariantCulture, $"a=rtcp-fb:{VideoPayloadType} nack pli"));
        Line(sdp, string.Create(CultureInfo.InvariantCulture, $"a=fmtp:{VideoPayloadType} level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"));

        Media(sdp, "audio", AudioPayloadType, "1", iceUfrag, icePassword, fingerprint);
        Line(sdp, string.Create(CultureInfo.InvariantCulture, $"a=rtpmap:{AudioPayloadType} opus/48000/2"));
        return sdp.ToString();
    }

    private static void Media(StringBuilder sdp, string kind, int payloadType, string mid, string iceUfrag, string icePassword, string fingerprint)
    {
        Line(sdp, string.Create(CultureInfo.InvariantCulture, $"m={kind} 9 UDP/TLS/RTP/SAVPF {payloadType}"));
        Line(sdp, "c=IN IP4 0.0.0.0");
        Line(sdp, $"a=ice-ufrag:{iceUfrag}");
        Line(sdp, $"a=ice-pwd:{icePassword}");
        Line(sdp, $"a=fingerprint:{fingerprint}");
        Line(sdp, "a=setup:actpass");
        Line(sdp, $"a=mid:{mid}");
        Line(sdp, "a=recvonly");
        Line(sdp, "a=rtcp-mux");
    }

    private static void Line(StringBuilder sdp, string line) => sdp.Append(line).Append("\r\n");
}
