using System.Globalization;

namespace LiveRelay.Protocols.WebRtc.Sdp;

/// <summary>
/// Answers a WebRTC offer as an ICE-lite, DTLS-passive, BUNDLE and rtcp-mux only endpoint that takes one
/// H.264 (packetization-mode 1) video and one Opus audio section over DTLS-SRTP (…/RTP/SAVP[F]). Other
/// sections (data channels, plain RTP/AVP, a second video), sections outside the BUNDLE group, and
/// sections without a usable codec or with the wrong direction are answered with port 0 and a=inactive, mid kept.
/// </summary>
public static class WebRtcNegotiator
{
    /// <summary>The refusal when no section has a codec we take.</summary>
    public const string NoUsableCodec = "no usable codec: H.264 (packetization-mode=1) or Opus required";

    /// <summary>The sdes:mid header extension (RFC 8843 §15.1).</summary>
    public const string MidExtensionUri = "urn:ietf:params:rtp-hdrext:sdes:mid";

    /// <summary>The transport-wide congestion control header extension that goes with rtcp-fb transport-cc.</summary>
    public const string TransportCcExtensionUri = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

    /// <summary>The rtcp-fb values we answer, when offered.</summary>
    // transport-cc is left out: we send no transport-wide feedback, and a sender told to expect it
    // (Chrome publishing over WHIP) would take the silence for congestion and starve its bitrate.
    // goog-remb is kept: a WHIP publisher hears the bitrate we can take from our REMB messages.
    private static readonly string[] AcceptedFeedback = ["nack", "nack pli", "ccm fir", "goog-remb"];

    /// <summary>
    /// Builds the answer. Throws <see cref="WebRtcSdpException"/> when nothing is usable (no H.264 pm=1 or
    /// Opus, or only in the wrong direction), when an accepted section lacks rtcp-mux, when several
    /// sections are accepted without a BUNDLE group, or when the offer wants to be DTLS passive; throws
    /// <see cref="ArgumentException"/> for invalid <paramref name="options"/>.
    /// </summary>
    public static WebRtcAnswer Answer(WebRtcOffer offer, WebRtcAnswerOptions options)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(options);
        var ourFingerprint = ValidateOptions(options);
        if (offer.Setup == "passive")
        {
            throw new WebRtcSdpException("the offer has a=setup:passive; we are DTLS passive, so it must be actpass or active");
        }

        var direction = options.Receive ? "recvonly" : "sendonly";
        var decisions = new List<(OfferedMedia Media, RtpCodec? Codec, NegotiatedMedia? Negotiated)>(offer.Media.Count);
        NegotiatedMedia? video = null;
        NegotiatedMedia? audio = null;
        string? directionProblem = null;
        foreach (var media in offer.Media)
        {
            var codec = media.Kind switch
            {
                "video" => ChooseH264(media.Codecs),
                "audio" => ChooseOpus(media.Codecs),
                _ => null,
            };
            var taken = media.Kind == "video" ? video : audio;
            if (codec is null || media.IsRejected || taken is not null
                || !media.Protocol.Contains("RTP/SAVP", StringComparison.OrdinalIgnoreCase)
                || (offer.BundleMids.Count > 0 && !offer.BundleMids.Contains(media.Mid)))
            {
                decisions.Add((media, null, null));
                continue;
            }

            if (!DirectionFits(media.Direction, options.Receive))
            {
                directionProblem ??= options.Receive
                    ? $"the offer's {media.Kind} is {media.Direction}; WHIP ingest needs sendonly or sendrecv"
                    : $"the offer's {media.Kind} is {media.Direction}; WHEP playback needs recvonly or sendrecv";
                decisions.Add((media, null, null));
                continue;
            }

            if (!media.RtcpMux)
            {
                throw new WebRtcSdpException($"rtcp-mux required (m= section mid {media.Mid})");
            }

            var negotiated = Negotiate(media, codec, direction);
            if (media.Kind == "video")
            {
                video = negotiated;
            }
            else
            {
                audio = negotiated;
            }

            decisions.Add((media, codec, negotiated));
        }

        var accepted = decisions.Where(d => d.Negotiated is not null).Select(d => d.Media.Mid).ToList();
        if (accepted.Count == 0)
        {
            throw new WebRtcSdpException(directionProblem ?? NoUsableCodec);
        }

        if (accepted.Count > 1 && offer.BundleMids.Count == 0)
        {
            throw new WebRtcSdpException("BUNDLE required: the offer has several media sections but no a=group:BUNDLE");
        }

        var midExtension = decisions
            .Where(d => d.Negotiated is not null)
            .SelectMany(d => d.Negotiated!.Extensions)
            .Where(e => e.Uri == MidExtensionUri)
            .Select(e => (int?)e.Id)
            .FirstOrDefault();
        var sdp = WebRtcAnswerWriter.Write(decisions, accepted, options, ourFingerprint);
        return new WebRtcAnswer(
            sdp,
            video,
            audio,
            offer.IceUfrag,
            offer.IcePwd,
            (offer.Fingerprint.Algorithm, offer.Fingerprint.GetBytes()),
            midExtension)
        {
            BundleMids = accepted,
        };
    }

    /// <summary>
    /// H.264 with packetization-mode=1 at 90 kHz: profile-level-id 42e01f first, then any 42xxxx
    /// (baseline / constrained baseline; absent means 42000a), then any other; offer order breaks ties.
    /// </summary>
    internal static RtpCodec? ChooseH264(IReadOnlyList<RtpCodec> codecs)
    {
        RtpCodec? best = null;
        var bestRank = int.MaxValue;
        foreach (var codec in codecs)
        {
            if (!codec.Name.Equals("H264", StringComparison.OrdinalIgnoreCase) || codec.ClockRate != 90000
                || !codec.Format.TryGetValue("packetization-mode", out var mode) || mode != "1")
            {
                continue;
            }

            var profile = codec.Format.TryGetValue("profile-level-id", out var id) ? id : "42000a";
            var rank = profile.Equals("42e01f", StringComparison.OrdinalIgnoreCase) ? 0
                : profile.StartsWith("42", StringComparison.Ordinal) ? 1
                : 2;
            if (rank < bestRank)
            {
                best = codec;
                bestRank = rank;
            }
        }

        return best;
    }

    /// <summary>opus/48000/2 (RFC 7587 §7: always written with two channels).</summary>
    internal static RtpCodec? ChooseOpus(IReadOnlyList<RtpCodec> codecs) =>
        codecs.FirstOrDefault(c => c.Name.Equals("opus", StringComparison.OrdinalIgnoreCase) && c.ClockRate == 48000 && c.Channels == 2);

    private static bool DirectionFits(string offered, bool receive) =>
        offered == "sendrecv" || offered == (receive ? "sendonly" : "recvonly");

    private static NegotiatedMedia Negotiate(OfferedMedia media, RtpCodec codec, string direction)
    {
        var feedback = AcceptedFeedback.Where(f => codec.Feedback.Contains(f, StringComparer.OrdinalIgnoreCase)).ToList();
        var extensions = media.Extensions
            .Where(e => e.Uri == MidExtensionUri || (e.Uri == TransportCcExtensionUri && feedback.Contains("transport-cc")))
            .ToList();
        return new NegotiatedMedia(
            media.Mid,
            codec.PayloadType,
            codec.RtxPayloadType,
            codec.ClockRate,
            codec.Channels,
            codec.Format,
            feedback,
            ParseSsrc(media.Ssrc))
        {
            RemoteRtxSsrc = ParseSsrc(media.RtxSsrc),
            Extensions = extensions,
            Direction = direction,
        };
    }

    private static uint? ParseSsrc(string? text) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ssrc) ? ssrc : null;

    private static SdpFingerprint ValidateOptions(WebRtcAnswerOptions options)
    {
        if (!IsIceToken(options.IceUfrag) || options.IceUfrag.Length < 4)
        {
            throw new ArgumentException("IceUfrag must be at least 4 ice-chars", nameof(options));
        }

        if (!IsIceToken(options.IcePwd) || options.IcePwd.Length < 22)
        {
            throw new ArgumentException("IcePwd must be at least 22 ice-chars", nameof(options));
        }

        if (!SdpFingerprint.TryParse(options.Fingerprint, out var fingerprint))
        {
            throw new ArgumentException("Fingerprint must read '<algorithm> XX:XX:…'", nameof(options));
        }

        if (options.SessionId is not { Length: > 0 and <= 20 } || !options.SessionId.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("SessionId must be decimal digits", nameof(options));
        }

        if (options.UdpCandidates.Count + options.TcpCandidates.Count == 0)
        {
            throw new ArgumentException("an ICE-lite answer needs at least one candidate", nameof(options));
        }

        foreach (var (address, port) in options.UdpCandidates.Concat(options.TcpCandidates))
        {
            if (string.IsNullOrEmpty(address) || address.Any(c => c is <= ' ' or > '~') || port is < 1 or > 65535)
            {
                throw new ArgumentException($"bad candidate {address} {port}", nameof(options));
            }
        }

        return fingerprint;
    }

    private static bool IsIceToken(string? value) =>
        value is { Length: > 0 and <= 256 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/');
}
