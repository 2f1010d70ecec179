namespace LiveRelay.Server.Configuration;

/// <summary><c>LiveRelay:Database</c>: where the newsroom's data lives.</summary>
public sealed record DatabaseOptions
{
    /// <summary>A PostgreSQL connection string (Npgsql form); empty means SQLite in <c>{DataDir}/liverelay.db</c>.</summary>
    public string ConnectionString { get; init; } = "";
}

/// <summary><c>LiveRelay:Auth</c>: who may publish and play, the admin API's token and partner play tokens.</summary>
public sealed record AuthOptions
{
    /// <summary>
    /// Let anyone publish without a key on paths that no feed claims (every protocol). Off by default:
    /// publishing then needs a feed's key. A server started with this on says so in a warning.
    /// </summary>
    public bool AllowAnonymousPublish { get; init; }

    /// <summary>
    /// Let anyone play without a token (every protocol). Off by default: plays then need a signed
    /// token, except on the paths <see cref="OpenPlay"/> names. A server started with this on says so.
    /// </summary>
    public bool AllowAnonymousPlay { get; init; }

    /// <summary>Paths playable without a token even when anonymous play is off: <c>app/stream</c>, or <c>app/*</c> for a whole app.</summary>
    public IReadOnlyList<string> OpenPlay { get; init; } = [];

    /// <summary>Paths that need a token even when anonymous play is on (same forms as <see cref="OpenPlay"/>).</summary>
    public IReadOnlyList<string> TokenPlay { get; init; } = [];

    /// <summary>HTTP callbacks asked on publish and play, and told of unpublish (nginx-rtmp's <c>on_publish</c>).</summary>
    public AuthCallbackOptions Callbacks { get; init; } = new();

    /// <summary>Bearer token of the admin API. When empty, one is generated at first start, stored, and logged once.</summary>
    public string AdminToken { get; init; } = "";

    /// <summary>Secret that signs play tokens (32+ bytes of base64, or any text). When empty, one is generated and stored.</summary>
    public string TokenSecret { get; init; } = "";

    /// <summary>Older spelling of <c>AllowAnonymousPlay=false</c>: when true, plays without a token are refused whatever else says.</summary>
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

        foreach (var (name, patterns) in new[] { ("OpenPlay", OpenPlay), ("TokenPlay", TokenPlay) })
        {
            for (var i = 0; i < patterns.Count; i++)
            {
                if (!Security.PathPattern.TryParse(patterns[i], out _, out var error))
                {
                    yield return $"LiveRelay:Auth:{name}:{i}: {error}";
                }
            }
        }

        foreach (var error in Callbacks.Validate())
        {
            yield return error;
        }
    }
}

/// <summary>
/// <c>LiveRelay:Auth:Callbacks</c>: URLs the server POSTs a JSON description of each publish and play to
/// (<c>{"action","path","app","stream","protocol","remoteAddress","key"|"token"}</c>). A 2xx answer allows,
/// 4xx refuses; a timeout, a connection failure or a 5xx follows <see cref="FailurePolicy"/>. Unpublish is
/// a notification (its answer is ignored).
/// </summary>
public sealed record AuthCallbackOptions
{
    /// <summary>Asked before a publish (after the key check); empty: no callback.</summary>
    public string OnPublish { get; init; } = "";

    /// <summary>Asked before a play (after the token check; once per HLS player session); empty: no callback.</summary>
    public string OnPlay { get; init; } = "";

    /// <summary>Told when a publisher leaves; empty: no callback.</summary>
    public string OnUnpublish { get; init; } = "";

    /// <summary>How long to wait for an answer.</summary>
    public int TimeoutMilliseconds { get; init; } = 3000;

    /// <summary><c>deny</c> (default) or <c>allow</c>: what a callback that cannot answer means.</summary>
    public string FailurePolicy { get; init; } = "deny";

    public IEnumerable<string> Validate()
    {
        foreach (var (name, url) in new[] { ("OnPublish", OnPublish), ("OnPlay", OnPlay), ("OnUnpublish", OnUnpublish) })
        {
            if (url.Length > 0 && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            {
                yield return $"LiveRelay:Auth:Callbacks:{name} must be an absolute http:// or https:// URL (got '{url}')";
            }
        }

        if (TimeoutMilliseconds is < 100 or > 60_000)
        {
            yield return $"LiveRelay:Auth:Callbacks:TimeoutMilliseconds must be 100..60000 (got {TimeoutMilliseconds})";
        }

        if (FailurePolicy is not ("deny" or "allow"))
        {
            yield return $"LiveRelay:Auth:Callbacks:FailurePolicy must be deny or allow (got '{FailurePolicy}')";
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
