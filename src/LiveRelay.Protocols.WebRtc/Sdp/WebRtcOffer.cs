namespace LiveRelay.Protocols.WebRtc.Sdp;

/// <summary>
/// A WebRTC SDP offer (JSEP, RFC 8829) as WHIP and WHEP clients send it, reduced to what an ICE-lite,
/// BUNDLE-only answerer needs. The transport values are those of the BUNDLE-tagged m= section (the
/// first mid of the group), falling back to session level: Chrome writes them per m= section, Firefox
/// the fingerprint at session level, OBS (libdatachannel) everything at session level.
/// </summary>
/// <param name="IceUfrag">The offerer's ICE ufrag.</param>
/// <param name="IcePwd">The offerer's ICE password.</param>
/// <param name="Fingerprint">The offerer's DTLS certificate fingerprint (sha-256 preferred when several are given).</param>
/// <param name="Setup">The offerer's DTLS role: <c>actpass</c>, <c>active</c> or <c>passive</c> (actpass when absent).</param>
/// <param name="BundleMids">The mids of <c>a=group:BUNDLE</c>, in order; empty without a group.</param>
/// <param name="Media">The m= sections in order.</param>
public sealed record WebRtcOffer(
    string IceUfrag,
    string IcePwd,
    SdpFingerprint Fingerprint,
    string Setup,
    IReadOnlyList<string> BundleMids,
    IReadOnlyList<OfferedMedia> Media)
{
    /// <summary>The longest SDP read, in characters.</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>The most m= sections read.</summary>
    public const int MaxMedia = 16;

    /// <summary>The most payload types one m= line may list.</summary>
    public const int MaxCodecsPerMedia = 128;

    /// <summary>Session-level <c>a=ice-ufrag</c>, if written there.</summary>
    public string? SessionIceUfrag { get; init; }

    /// <summary>Session-level <c>a=ice-pwd</c>, if written there.</summary>
    public string? SessionIcePwd { get; init; }

    /// <summary>Session-level <c>a=fingerprint</c>, if written there.</summary>
    public SdpFingerprint? SessionFingerprint { get; init; }

    /// <summary>
    /// Parses an offer (CRLF or LF line ends). Throws <see cref="WebRtcSdpException"/> naming the problem
    /// when it is too big, is not SDP, has no or a malformed m= line, lacks ice-ufrag, ice-pwd, fingerprint
    /// or a mid, or carries a malformed rtpmap, extmap, ssrc, setup or group line.
    /// </summary>
    public static WebRtcOffer Parse(string sdp) => WebRtcOfferParser.Parse(sdp);
}
