namespace LiveRelay.Core.Streams;

/// <summary>Who publishes a stream.</summary>
/// <param name="Protocol">Ingest protocol, lower case (<c>rtmp</c>, <c>srt</c>, <c>webrtc</c>).</param>
/// <param name="RemoteAddress">The publisher's address and port, when known.</param>
/// <param name="ConnectionId">The connection's id, for log correlation.</param>
/// <param name="Transport">Live transport figures of the connection, when the protocol has them (SRT).</param>
/// <param name="IsInternal">The server's own output (a program switcher), which may publish on reserved paths.</param>
public sealed record PublisherInfo(string Protocol, string? RemoteAddress, string? ConnectionId = null, ITransportStatistics? Transport = null, bool IsInternal = false);
