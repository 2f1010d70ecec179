namespace LiveRelay.Protocols.Rtmp.Client;

/// <summary>A remote RTMP server refused what the client asked (its code and description), or broke the protocol.</summary>
public sealed class RtmpClientException(string message) : Exception(message);
