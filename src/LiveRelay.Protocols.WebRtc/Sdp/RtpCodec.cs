namespace LiveRelay.Protocols.WebRtc.Sdp;

/// <summary>One payload type of an offered m= section, with its rtpmap, fmtp and rtcp-fb lines.</summary>
/// <param name="PayloadType">0..127, as listed on the m= line.</param>
/// <param name="Name">The encoding name as written (<c>H264</c>, <c>opus</c>, <c>rtx</c>, …); for static types without rtpmap the RFC 3551 name; empty when unknown.</param>
/// <param name="ClockRate">Hz; 0 when unknown.</param>
/// <param name="Channels">From the rtpmap, 1 when absent.</param>
/// <param name="Format">The <c>a=fmtp</c> parameters (names case-insensitive); a parameter without <c>=</c> has an empty value.</param>
/// <param name="Feedback">The <c>a=rtcp-fb</c> values for this type and for <c>*</c>, e.g. <c>nack</c>, <c>nack pli</c>, <c>transport-cc</c>.</param>
/// <param name="RtxPayloadType">The rtx payload type whose <c>apt</c> names this one, if any.</param>
public sealed record RtpCodec(
    int PayloadType,
    string Name,
    int ClockRate,
    int Channels,
    IReadOnlyDictionary<string, string> Format,
    IReadOnlyList<string> Feedback,
    int? RtxPayloadType)
{
    /// <summary>The <c>a=fmtp</c> text after the payload type, as offered (null when there was none), so an answer can echo it unchanged.</summary>
    public string? Fmtp { get; init; }
}
