namespace LiveRelay.Core.Streams;

/// <summary>
/// A player served from a shared serialization of the stream rather than its own
/// <see cref="MediaReader"/> (every SRT reader of a stream shares one TS feed). Counted with the
/// stream's readers in the API and metrics; added with <see cref="LiveStream.AddViewer"/>.
/// </summary>
/// <param name="Protocol">Egress protocol, lower case (<c>srt</c>).</param>
/// <param name="RemoteAddress">The player's address and port.</param>
/// <param name="Transport">Live transport figures of the connection, when the protocol has them (SRT).</param>
public sealed record StreamViewer(string Protocol, string RemoteAddress, ITransportStatistics? Transport = null);
