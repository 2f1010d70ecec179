namespace LiveRelay.Server.Configuration;

/// <summary>
/// <c>LiveRelay:Limits</c>: what one server accepts, so a flood, a broken client or a runaway encoder
/// cannot take it down. Each refusal is counted in <c>/metrics</c> and logged (once a minute per
/// limit and address, with the number of refusals since). Other limits live with their protocol:
/// <c>Rtmp:HandshakeTimeoutSeconds</c>, <c>Rtmp:MaxMessageSize</c>, <c>Rtmp:MaxChunkStreams</c>,
/// <c>WebRtc:MaxSessions</c>.
/// </summary>
public sealed record LimitsOptions
{
    /// <summary>Open TCP connections (HTTP, RTMP, RTMPS) in total.</summary>
    public int MaxConnections { get; init; } = 20_000;

    /// <summary>Open TCP connections from one IP address (a newsroom behind one NAT needs room).</summary>
    public int MaxConnectionsPerAddress { get; init; } = 1_000;

    /// <summary>Streams published at once (every protocol, pulls included).</summary>
    public int MaxPublishers { get; init; } = 1_000;

    /// <summary>Players of one stream over RTMP, HTTP-FLV, SRT and WHEP (HLS players are requests, not connections).</summary>
    public int MaxPlayersPerStream { get; init; } = 5_000;

    /// <summary>A publisher that sends more than this (over 5 s) is disconnected; 0: no limit.</summary>
    public double MaxPublishBitrateMbps { get; init; } = 100;

    /// <summary>A publisher that sends no media for this long is disconnected; 0: never.</summary>
    public double PublisherIdleSeconds { get; init; } = 20;

    /// <summary>Largest HTTP request body (API JSON, WHIP/WHEP offers need far less); larger ones get 413.</summary>
    public long MaxHttpRequestBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>Largest total of HTTP request headers; larger ones get 431.</summary>
    public int MaxHttpRequestHeaderBytes { get; init; } = 32 * 1024;

    public IEnumerable<string> Validate()
    {
        if (MaxConnections is < 1 or > 10_000_000)
        {
            yield return $"LiveRelay:Limits:MaxConnections must be 1..10000000 (got {MaxConnections})";
        }

        if (MaxConnectionsPerAddress < 1 || MaxConnectionsPerAddress > MaxConnections)
        {
            yield return $"LiveRelay:Limits:MaxConnectionsPerAddress must be 1..MaxConnections (got {MaxConnectionsPerAddress})";
        }

        if (MaxPublishers is < 1 or > 1_000_000)
        {
            yield return $"LiveRelay:Limits:MaxPublishers must be 1..1000000 (got {MaxPublishers})";
        }

        if (MaxPlayersPerStream is < 1 or > 1_000_000)
        {
            yield return $"LiveRelay:Limits:MaxPlayersPerStream must be 1..1000000 (got {MaxPlayersPerStream})";
        }

        if (MaxPublishBitrateMbps is < 0 or > 10_000)
        {
            yield return $"LiveRelay:Limits:MaxPublishBitrateMbps must be 0..10000 (got {MaxPublishBitrateMbps})";
        }

        if (PublisherIdleSeconds is < 0 or > 3600 || PublisherIdleSeconds is > 0 and < 1)
        {
            yield return $"LiveRelay:Limits:PublisherIdleSeconds must be 0 or 1..3600 (got {PublisherIdleSeconds})";
        }

        if (MaxHttpRequestBodyBytes is < 65 * 1024 or > 1L << 32)
        {
            yield return $"LiveRelay:Limits:MaxHttpRequestBodyBytes must be 66560..4294967296 (got {MaxHttpRequestBodyBytes})";
        }

        if (MaxHttpRequestHeaderBytes is < 4096 or > 1024 * 1024)
        {
            yield return $"LiveRelay:Limits:MaxHttpRequestHeaderBytes must be 4096..1048576 (got {MaxHttpRequestHeaderBytes})";
        }
    }
}
