namespace LiveRelay.Server.Configuration;

/// <summary><c>LiveRelay:Database</c>: where the newsroom's data lives.</summary>
public sealed record DatabaseOptions
{
    /// <summary>A PostgreSQL connection string (Npgsql form); empty means SQLite in <c>{DataDir}/liverelay.db</c>.</summary>
    public string ConnectionString { get; init; } = "";
}

/// <summary><c>LiveRelay:Auth</c>: the admin API's token and partner play tokens.</summary>
public sealed record AuthOptions
{
    /// <summary>Bearer token of the admin API. When empty, one is generated at first start, stored, and logged once.</summary>
    public string AdminToken { get; init; } = "";

    /// <summary>Secret that signs play tokens (32+ bytes of base64, or any text). When empty, one is generated and stored.</summary>
    public string TokenSecret { get; init; } = "";

    /// <summary>Refuse plays that present no token (partner-only servers).</summary>
    public bool RequirePlayToken { get; init; }

    /// <summary>How long pull links work, in hours, unless their share ends sooner.</summary>
    public double LinkHours { get; init; } = 24;

    /// <summary>How long a control-page sign-in (cookie or bearer token) lasts, in hours.</summary>
    public double SessionHours { get; init; } = 12;

    public IEnumerable<string> Validate()
    {
        if (AdminToken.Length is > 0 and < 16)
        {
            yield return "LiveRelay:Auth:AdminToken must be at least 16 characters (or empty to generate one)";
        }

        if (LinkHours is <= 0 or > 24 * 366)
        {
            yield return "LiveRelay:Auth:LinkHours must be more than 0 and at most 8784 (a year)";
        }

        if (SessionHours is <= 0 or > 24 * 31)
        {
            yield return "LiveRelay:Auth:SessionHours must be more than 0 and at most 744 (a month)";
        }
    }
}

/// <summary><c>LiveRelay:PublicUrls</c>: how partners reach this server, for pull links. Empty parts come from the request.</summary>
public sealed record PublicUrlOptions
{
    /// <summary>e.g. <c>https://hub.example.com</c> (HLS, HTTP-FLV).</summary>
    public string Http { get; init; } = "";

    /// <summary>e.g. <c>rtmp://hub.example.com:1935</c>.</summary>
    public string Rtmp { get; init; } = "";

    /// <summary>e.g. <c>srt://hub.example.com:9000</c>.</summary>
    public string Srt { get; init; } = "";
}
