using System.Globalization;
using System.Text;

namespace LiveRelay.Protocols.WebRtc.Sdp;

/// <summary>Writes the answer text: ICE-lite session, then every offered m= section in order, accepted or rejected.</summary>
internal static class WebRtcAnswerWriter
{
    /// <summary>The cname and media stream id we send under (WHEP).</summary>
    private const string StreamId = "liverelay";

    // RFC 8445 §5.1.2.1 priority = 2^24 * type preference + 2^8 * local preference + (256 - component).
    // UDP host: type preference 126, local preference 65535 = 2130706431. TCP host: 1518280447, what
    // Chrome gives its host TCP candidates (type preference 90), so UDP is always preferred. Each further
    // candidate of a transport is one local preference lower.
    private const long UdpHostPriority = (126L << 24) | (65535L << 8) | 255;
    private const long TcpHostPriority = 1518280447;

    public static string Write(
        IReadOnlyList<(OfferedMedia Media, RtpCodec? Codec, NegotiatedMedia? Negotiated)> decisions,
        IReadOnlyList<string> bundle,
        WebRtcAnswerOptions options,
        SdpFingerprint fingerprint)
    {
        var sdp = new StringBuilder(2048);
        Line(sdp, "v=0");
        Line(sdp, $"o=- {options.SessionId} 2 IN IP4 127.0.0.1");
        Line(sdp, "s=-");
        Line(sdp, "t=0 0");
        Line(sdp, "a=ice-lite");
        Line(sdp, $"a=group:BUNDLE {string.Join(' ', bundle)}");
        Line(sdp, "a=msid-semantic: WMS *");
        foreach (var (media, codec, negotiated) in decisions)
        {
            if (codec is null || negotiated is null)
            {
                WriteRejected(sdp, media);
            }
            else
            {
                WriteAccepted(sdp, media, codec, negotiated, options, fingerprint);
            }
        }

        return sdp.ToString();
    }

    private static void WriteRejected(StringBuilder sdp, OfferedMedia media)
    {
        var format = media.Formats.Count > 0 ? media.Formats[0] : "0";
        Line(sdp, $"m={media.Kind} 0 {media.Protocol} {format}");
        Line(sdp, "c=IN IP4 0.0.0.0");
        Line(sdp, $"a=mid:{media.Mid}");
        Line(sdp, "a=inactive");
    }

    private static void WriteAccepted(
        StringBuilder sdp,
        OfferedMedia media,
        RtpCodec codec,
        NegotiatedMedia negotiated,
        WebRtcAnswerOptions options,
        SdpFingerprint fingerprint)
    {
        var types = negotiated.RtxPayloadType is { } rtx ? $"{codec.PayloadType} {rtx}" : Invariant(codec.PayloadType);
        Line(sdp, $"m={media.Kind} 9 UDP/TLS/RTP/SAVPF {types}");
        Line(sdp, "c=IN IP4 0.0.0.0");
        Line(sdp, $"a=mid:{media.Mid}");
        Line(sdp, $"a=ice-ufrag:{options.IceUfrag}");
        Line(sdp, $"a=ice-pwd:{options.IcePwd}");
        Line(sdp, $"a=fingerprint:{fingerprint}");
        Line(sdp, "a=setup:passive");
        Line(sdp, "a=rtcp-mux");
        if (media.RtcpRsize)
        {
            // RFC 5506 §5: only answered when offered.
            Line(sdp, "a=rtcp-rsize");
        }

        Line(sdp, $"a={negotiated.Direction}");
        foreach (var (id, uri) in negotiated.Extensions)
        {
            Line(sdp, $"a=extmap:{Invariant(id)} {uri}");
        }

        var channels = media.Kind == "audio" ? $"/{Invariant(codec.Channels)}" : "";
        Line(sdp, $"a=rtpmap:{Invariant(codec.PayloadType)} {codec.Name}/{Invariant(codec.ClockRate)}{channels}");
        foreach (var feedback in negotiated.Feedback)
        {
            Line(sdp, $"a=rtcp-fb:{Invariant(codec.PayloadType)} {feedback}");
        }

        if (!string.IsNullOrEmpty(codec.Fmtp))
        {
            Line(sdp, $"a=fmtp:{Invariant(codec.PayloadType)} {codec.Fmtp}");
        }

        if (negotiated.RtxPayloadType is { } repair)
        {
            Line(sdp, $"a=rtpmap:{Invariant(repair)} rtx/{Invariant(codec.ClockRate)}");
            Line(sdp, $"a=fmtp:{Invariant(repair)} apt={Invariant(codec.PayloadType)}");
        }

        if (!options.Receive)
        {
            WriteSender(sdp, media.Kind, negotiated, options);
        }

        WriteCandidates(sdp, options);
    }

    /// <summary>What we send under: msid, ssrc with cname (and the FID group when we retransmit on rtx).</summary>
    private static void WriteSender(StringBuilder sdp, string kind, NegotiatedMedia negotiated, WebRtcAnswerOptions options)
    {
        var ssrc = kind == "video" ? options.VideoSsrc : options.AudioSsrc;
        var track = $"{StreamId} {StreamId}-{kind}";
        Line(sdp, $"a=msid:{track}");
        uint? rtxSsrc = kind == "video" && negotiated.RtxPayloadType is not null ? options.VideoRtxSsrc : null;
        if (rtxSsrc is { } repair)
        {
            Line(sdp, $"a=ssrc-group:FID {Invariant(ssrc)} {Invariant(repair)}");
        }

        Line(sdp, $"a=ssrc:{Invariant(ssrc)} cname:{StreamId}");
        Line(sdp, $"a=ssrc:{Invariant(ssrc)} msid:{track}");
        if (rtxSsrc is { } retransmission)
        {
            Line(sdp, $"a=ssrc:{Invariant(retransmission)} cname:{StreamId}");
            Line(sdp, $"a=ssrc:{Invariant(retransmission)} msid:{track}");
        }
    }

    // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ host [tcptype passive]
    // Foundations: 1, 3, 5… for UDP and 2, 4, 6… for TCP; each further candidate one local preference lower.
    private static void WriteCandidates(StringBuilder sdp, WebRtcAnswerOptions options)
    {
        for (var i = 0; i < options.UdpCandidates.Count; i++)
        {
            var (address, port) = options.UdpCandidates[i];
            Line(sdp, $"a=candidate:{Invariant(2 * i + 1)} 1 udp {Invariant(UdpHostPriority - 256L * i)} {address} {Invariant(port)} typ host");
        }

        for (var i = 0; i < options.TcpCandidates.Count; i++)
        {
            var (address, port) = options.TcpCandidates[i];
            Line(sdp, $"a=candidate:{Invariant(2 * i + 2)} 1 tcp {Invariant(TcpHostPriority - 256L * i)} {address} {Invariant(port)} typ host tcptype passive");
        }

        Line(sdp, "a=end-of-candidates");
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Line(StringBuilder sdp, string line) => sdp.Append(line).Append("\r\n");
}
