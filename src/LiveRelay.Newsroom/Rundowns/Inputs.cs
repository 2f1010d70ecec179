using LiveRelay.Newsroom.Model;

namespace LiveRelay.Newsroom.Rundowns;

/// <summary>A new station.</summary>
public sealed record NewStation(string? Name, string? Code);

/// <summary>A new feed: a path publishers send to (a key is made when none is given), or a URL to pull.</summary>
public sealed record NewFeed(string? Name, string? Path, string? StationId, string? PublishKey, string? PullUrl, string? SrtPassphrase = null, bool? Takeover = null);

/// <summary>Changes to a feed (null leaves a field as it is; an empty passphrase clears it).</summary>
public sealed record FeedPatch(string? Name, string? SrtPassphrase, bool? Takeover);

/// <summary>A key rotation: the new key, or null to have one made.</summary>
public sealed record KeyRotation(string? PublishKey);

/// <summary>A new rundown.</summary>
public sealed record NewRundown(string? Title, string? StationId, DateTimeOffset? PlannedStart, FallbackMode? Fallback, string? FallbackSource, bool? ReturnWhenBack);

/// <summary>Changes to a rundown's own fields (null leaves a field as it is).</summary>
public sealed record RundownPatch(string? Title, DateTimeOffset? PlannedStart, FallbackMode? Fallback, string? FallbackSource, bool? ReturnWhenBack);

/// <summary>A new item; <see cref="Source"/> is a stream path, or <see cref="FeedId"/> names a feed whose path is used.</summary>
public sealed record NewItem(string? Title, string? Source, string? FeedId, int? PlannedDurationSeconds, string? Notes, int? Position);

/// <summary>Changes to an item (null leaves a field as it is; an empty source clears it).</summary>
public sealed record ItemPatch(string? Title, string? Source, string? FeedId, int? PlannedDurationSeconds, string? Notes, ItemState? State);

/// <summary>A new share of a rundown or feed with a partner station.</summary>
public sealed record NewShare(ShareKind? Kind, string? TargetId, string? StationId, DateTimeOffset? ExpiresAt);

/// <summary>Where pull links point: the public base URLs of this server.</summary>
/// <param name="Http">e.g. <c>http://hub.example.com:8080</c> (HLS and HTTP-FLV).</param>
/// <param name="Rtmp">e.g. <c>rtmp://hub.example.com:1935</c>.</param>
/// <param name="Srt">e.g. <c>srt://hub.example.com:9000</c>, or null when SRT is off.</param>
public sealed record LinkBases(string Http, string Rtmp, string? Srt);

/// <summary>Ready-to-paste pull links for one stream, each carrying the partner's token.</summary>
public sealed record PullLinks(string Title, string Stream, string Hls, string HttpFlv, string Rtmp, string? Srt, DateTimeOffset ExpiresAt, string? Whep = null);

/// <summary>Everything a partner station can pull under one share.</summary>
public sealed record ShareLinks(string ShareId, string StationId, PullLinks? Program, IReadOnlyList<PullLinks> Feeds);
