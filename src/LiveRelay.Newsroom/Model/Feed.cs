namespace LiveRelay.Newsroom.Model;

/// <summary>
/// A named live source: a stream path that reporters publish to (with an optional publish key), or a
/// URL the server pulls (the pull issue drives those).
/// </summary>
/// <param name="Id">Identifier.</param>
/// <param name="StationId">The owning station, when known.</param>
/// <param name="Name">Display name, e.g. "Reporter 3, Xihu".</param>
/// <param name="Path">The stream path the feed is live at, <c>app/stream</c>.</param>
/// <param name="PublishKey">
/// Key a publisher must present (RTMP <c>?key=</c>, the SRT streamid's <c>key</c>/<c>s</c>, WHIP's Bearer token);
/// null when revoked: then nobody may publish the feed until a new key is made.
/// </param>
/// <param name="PullUrl">URL the server pulls the feed from, or null for a published feed.</param>
/// <param name="CreatedAt">When the feed was added.</param>
/// <param name="SrtPassphrase">The feed's own SRT encryption passphrase for its publishers, or null for the listener's.</param>
/// <param name="Takeover">A publisher with the right key replaces a live one (a phone back on a new network) instead of being refused.</param>
public sealed record Feed(string Id, string? StationId, string Name, string Path, string? PublishKey, string? PullUrl, DateTimeOffset CreatedAt, string? SrtPassphrase = null, bool Takeover = false);
