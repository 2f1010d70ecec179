namespace LiveRelay.Protocols.WebRtc.Sdp;

/// <summary>One m= section of a WebRTC offer.</summary>
/// <param name="Kind"><c>audio</c>, <c>video</c>, <c>application</c>, … as written.</param>
/// <param name="Port">The m= port; 0 means rejected unless <see cref="BundleOnly"/>.</param>
/// <param name="Mid">The <c>a=mid</c> (required).</param>
/// <param name="Direction"><c>sendrecv</c>, <c>sendonly</c>, <c>recvonly</c> or <c>inactive</c>, from the offerer's side; the session-level one, else sendrecv, when absent.</param>
/// <param name="RtcpMux"><c>a=rtcp-mux</c> (or <c>a=rtcp-mux-only</c>) present.</param>
/// <param name="Codecs">Every payload type of the m= line, in its order.</param>
/// <param name="Extensions">The <c>a=extmap</c> ids and URIs (session-level ones included).</param>
/// <param name="Ssrc">The sender's SSRC: the first of <c>a=ssrc-group:FID</c>, else the first <c>a=ssrc</c>; null when not signalled.</param>
public sealed record OfferedMedia(
    string Kind,
    int Port,
    string Mid,
    string Direction,
    bool RtcpMux,
    IReadOnlyList<RtpCodec> Codecs,
    IReadOnlyList<(int Id, string Uri)> Extensions,
    string? Ssrc)
{
    /// <summary>The m= protocol, e.g. <c>UDP/TLS/RTP/SAVPF</c> or <c>UDP/DTLS/SCTP</c>.</summary>
    public string Protocol { get; init; } = "";

    /// <summary>The m= formats as written (payload types, or <c>webrtc-datachannel</c>).</summary>
    public IReadOnlyList<string> Formats { get; init; } = [];

    /// <summary><c>a=bundle-only</c>: a port of 0 does not reject the section.</summary>
    public bool BundleOnly { get; init; }

    /// <summary><c>a=rtcp-rsize</c> (RFC 5506) offered.</summary>
    public bool RtcpRsize { get; init; }

    /// <summary>The retransmission SSRC: the second of <c>a=ssrc-group:FID</c>.</summary>
    public string? RtxSsrc { get; init; }

    /// <summary>Media-level <c>a=ice-ufrag</c>, if written here.</summary>
    public string? IceUfrag { get; init; }

    /// <summary>Media-level <c>a=ice-pwd</c>, if written here.</summary>
    public string? IcePwd { get; init; }

    /// <summary>Media-level <c>a=fingerprint</c>, if written here.</summary>
    public SdpFingerprint? Fingerprint { get; init; }

    /// <summary>Media-level <c>a=setup</c>, if written here.</summary>
    public string? Setup { get; init; }

    /// <summary>Whether the offerer rejected the section (port 0 without bundle-only).</summary>
    public bool IsRejected => Port == 0 && !BundleOnly;
}
