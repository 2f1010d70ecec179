namespace LiveRelay.Protocols.Rtmp;

/// <summary>RTMP listener settings (<c>LiveRelay:Rtmp</c>).</summary>
public sealed record RtmpOptions
{
    /// <summary>TCP port; 0 turns RTMP off.</summary>
    public int Port { get; init; } = 1935;

    /// <summary>Address to bind; empty for all interfaces.</summary>
    public string Address { get; init; } = "";

    /// <summary>Largest message a peer may send, in bytes.</summary>
    public int MaxMessageSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>Most chunk streams one connection may open.</summary>
    public int MaxChunkStreams { get; init; } = 64;

    /// <summary>Time allowed to complete the handshake and connect.</summary>
    public int HandshakeTimeoutSeconds { get; init; } = 10;

    /// <summary>Window acknowledgement size announced to peers.</summary>
    public int WindowAckSize { get; init; } = 2_500_000;

    public IEnumerable<string> Validate()
    {
        if (Port is < 0 or > 65535)
        {
            yield return $"LiveRelay:Rtmp:Port must be 0..65535 (got {Port})";
        }

        if (MaxMessageSize is < 64 * 1024 or > 0xFFFFFF)
        {
            yield return $"LiveRelay:Rtmp:MaxMessageSize must be 65536..16777215 (got {MaxMessageSize})";
        }

        if (MaxChunkStreams is < 4 or > 65600)
        {
            yield return $"LiveRelay:Rtmp:MaxChunkStreams must be 4..65600 (got {MaxChunkStreams})";
        }

        if (HandshakeTimeoutSeconds is < 1 or > 300)
        {
            yield return $"LiveRelay:Rtmp:HandshakeTimeoutSeconds must be 1..300 (got {HandshakeTimeoutSeconds})";
        }
    }
}
