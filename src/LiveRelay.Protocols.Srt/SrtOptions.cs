namespace LiveRelay.Protocols.Srt;

/// <summary>SRT listener settings (<c>LiveRelay:Srt</c>).</summary>
public sealed record SrtOptions
{
    /// <summary>UDP port; 0 turns SRT off.</summary>
    public int Port { get; init; } = 9000;

    /// <summary>Address to bind; empty for all interfaces.</summary>
    public string Address { get; init; } = "";

    /// <summary>TSBPD latency in milliseconds.</summary>
    public int LatencyMs { get; init; } = 120;

    /// <summary>Passphrase callers must use (10–79 characters); empty for no encryption.</summary>
    public string Passphrase { get; init; } = "";

    /// <summary>AES key length in bytes: 16, 24 or 32.</summary>
    public int KeyLength { get; init; } = 16;

    /// <summary>Most SRT connections at once (0: no limit); the server sets it from <c>LiveRelay:Limits:MaxConnections</c>.</summary>
    public int MaxConnections { get; init; }

    /// <summary>Most SRT connections from one address (0: no limit); from <c>LiveRelay:Limits:MaxConnectionsPerAddress</c>.</summary>
    public int MaxConnectionsPerAddress { get; init; }

    public IEnumerable<string> Validate()
    {
        if (Port is < 0 or > 65535)
        {
            yield return $"LiveRelay:Srt:Port must be 0..65535 (got {Port})";
        }

        if (LatencyMs is < 20 or > 10_000)
        {
            yield return $"LiveRelay:Srt:LatencyMs must be 20..10000 (got {LatencyMs})";
        }

        if (Passphrase.Length is > 0 and (< 10 or > 79))
        {
            yield return "LiveRelay:Srt:Passphrase must have 10 to 79 characters (or be empty)";
        }

        if (KeyLength is not (16 or 24 or 32))
        {
            yield return $"LiveRelay:Srt:KeyLength must be 16, 24 or 32 (got {KeyLength})";
        }
    }
}
