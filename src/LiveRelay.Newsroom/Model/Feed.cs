namespace LiveRelay.Newsroom.Model;

/// <summary>
/// A named live source: a stream path that reporters publish to (with an optional publish key), or a
/// URL the server pulls (the pull issue drives those).
/// </summary>
/// <param name="Id">Identifier.</param>
/// <param name="StationId">The owning station, when known.</param>
/// <param name="Name">Display name, e.g. "Reporter 3, Xihu".</param>
/// <param name="Path">The stream path the feed is live at, <c>app/stream</c>.</param>
/// <param name="PublishKey">Key a publisher must present (enforced by the security issue), or null.</param>
/// <param name="PullUrl">URL the server pulls the feed from, or null for a published feed.</param>
/// <param name="CreatedAt">When the feed was added.</param>
public sealed record Feed(string Id, string? StationId, string Name, string Path, string? PublishKey, string? PullUrl, DateTimeOffset CreatedAt);
