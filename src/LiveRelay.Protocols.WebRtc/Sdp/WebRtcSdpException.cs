namespace LiveRelay.Protocols.WebRtc.Sdp;

/// <summary>
/// An SDP offer we cannot read or cannot answer. The message names the problem (missing ice-pwd,
/// bad m= line, no usable codec, …) and is fit to return to the client as the body of a 400/406.
/// </summary>
public sealed class WebRtcSdpException : FormatException
{
    public WebRtcSdpException(string message)
        : base(message)
    {
    }
}
