namespace LiveRelay.Protocols.WebRtc.Sdp;

/// <summary>One accepted m= section: the codec chosen and what the RTP path needs of the offer.</summary>
/// <param name="Mid">The section's mid (for the sdes:mid header extension).</param>
/// <param name="PayloadType">The offer's payload type for the chosen codec.</param>
/// <param name="RtxPayloadType">The offer's rtx payload type for it, if offered.</param>
/// <param name="ClockRate">Hz.</param>
/// <param name="Channels">1 for video, 2 for Opus.</param>
/// <param name="Format">The offer's fmtp parameters for the payload type.</param>
/// <param name="Feedback">The rtcp-fb values negotiated (a subset of nack, nack pli, ccm fir, transport-cc).</param>
/// <param name="RemoteSsrc">The offerer's SSRC for this section, when signalled.</param>
public sealed record NegotiatedMedia(
    string Mid,
    int PayloadType,
    int? RtxPayloadType,
    int ClockRate,
    int Channels,
    IReadOnlyDictionary<string, string> Format,
    IReadOnlyList<string> Feedback,
    uint? RemoteSsrc)
{
    /// <summary>The offerer's retransmission SSRC (ssrc-group FID), when signalled.</summary>
    public uint? RemoteRtxSsrc { get; init; }

    /// <summary>The header extensions the answer accepts for this section (sdes:mid; transport-wide-cc with transport-cc).</summary>
    public IReadOnlyList<(int Id, string Uri)> Extensions { get; init; } = [];

    /// <summary>Our direction in the answer: recvonly (WHIP) or sendonly (WHEP).</summary>
    public string Direction { get; init; } = "";
}

/// <summary>An answer to a WebRTC offer and what was agreed.</summary>
/// <param name="Sdp">The answer text (CRLF line ends).</param>
/// <param name="Video">The accepted video section (H.264), if any.</param>
/// <param name="Audio">The accepted audio section (Opus), if any.</param>
/// <param name="RemoteUfrag">The offerer's ICE ufrag: the second half of the USERNAME in its checks.</param>
/// <param name="RemotePwd">The offerer's ICE password: keys checks sent to it (an ICE-lite agent sends none; its checks to us and our responses use our password).</param>
/// <param name="RemoteFingerprint">The offerer's DTLS certificate hash, to check its certificate against.</param>
/// <param name="MidExtensionId">The id of <c>urn:ietf:params:rtp-hdrext:sdes:mid</c>, if offered: demux by mid when SSRCs are not signalled.</param>
public sealed record WebRtcAnswer(
    string Sdp,
    NegotiatedMedia? Video,
    NegotiatedMedia? Audio,
    string RemoteUfrag,
    string RemotePwd,
    (string Algorithm, byte[] Bytes) RemoteFingerprint,
    int? MidExtensionId)
{
    /// <summary>The mids of the answer's BUNDLE group, in order.</summary>
    public IReadOnlyList<string> BundleMids { get; init; } = [];
}
