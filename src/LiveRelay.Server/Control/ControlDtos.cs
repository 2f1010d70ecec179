using LiveRelay.Newsroom.Access;
using LiveRelay.Newsroom.Rundowns;
using LiveRelay.Newsroom.Switching;
using LiveRelay.Server.Api;

namespace LiveRelay.Server.Control;

// The shapes the hub sends and returns (docs/control.md); camelCase on the wire.

/// <summary>How a hub command ended: ok, or why not; with the rundown as it is now when the command was about one.</summary>
public sealed record CommandResult(bool Ok, string? Error, RundownView? Rundown)
{
    public static CommandResult Success(RundownView? rundown = null) => new(true, null, rundown);

    public static CommandResult Refused(string error, RundownView? current = null) => new(false, error, current);
}

/// <summary>Everything the page needs at load (and after a reconnect).</summary>
public sealed record ControlState(
    UserView User,
    IReadOnlyList<FeedStatus> Feeds,
    IReadOnlyList<RundownView> Rundowns,
    IReadOnlyList<Tally> Tallies,
    IReadOnlyList<PullView> Pulls,
    IReadOnlyList<Alert> Alerts,
    IReadOnlyList<StationView> Stations);

public sealed record StationView(string Id, string Name, string Code);

/// <summary>A feed: a live stream (or a registered feed that is not live now).</summary>
public sealed record FeedStatus(
    string Path,
    string Name,
    string? FeedId,
    string? StationId,
    bool Online,
    string? Protocol,
    string? RemoteAddress,
    DateTimeOffset? Since,
    FeedVideo? Video,
    FeedAudio? Audio);

public sealed record FeedVideo(string Codec, int Width, int Height);

public sealed record FeedAudio(string Codec, int SampleRate, int Channels);

/// <summary>A live feed's health, sent once a second.</summary>
public sealed record FeedHealth(
    string Path,
    double BitrateKbps,
    double FrameRate,
    double KeyframeIntervalSeconds,
    double? SecondsSinceKeyframe,
    int Width,
    int Height,
    double? AudioLevelDb,
    int ThumbnailVersion,
    IReadOnlyDictionary<string, double>? Transport);

/// <summary>What is on program and on preview in a rundown.</summary>
public sealed record Tally(
    string RundownId,
    string ProgramPath,
    string? ProgramSource,
    string? PreviewSource,
    string? OnAirItemId,
    string? PreviewItemId,
    string? ShowingSource,
    ProgramMode? Mode,
    double? LastTakeLatencyMs);

/// <summary>A partner pull in progress or ended.</summary>
public sealed record PullView(
    string Id,
    string StationId,
    string? StationName,
    string StreamPath,
    string Protocol,
    string? RemoteAddress,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    long Bytes)
{
    public static PullView Of(PullActivity pull, string? stationName) =>
        new(pull.Id, pull.StationId, stationName, pull.StreamPath, pull.Protocol, pull.RemoteAddress, pull.StartedAt, pull.EndedAt, pull.Bytes);
}

/// <summary>Something a director should see: raised once, and again with <see cref="Cleared"/> when it ends.</summary>
public sealed record Alert(string Id, AlertKind Kind, AlertSeverity Severity, string Path, string Message, DateTimeOffset At, bool Cleared);

public enum AlertKind
{
    FeedLost,
    NoKeyframe,
    BitrateCollapse,
    AudioSilent,
    Fallback,
}

public enum AlertSeverity
{
    Warning,
    Critical,
}

/// <summary>A share of a rundown with a partner station, and the partner's pull links.</summary>
public sealed record ShareInfo(
    string ShareId,
    string StationId,
    string? StationName,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    PullLinks? Program,
    IReadOnlyList<PullLinks> Feeds);

/// <summary>Where the page's monitors play a stream.</summary>
public sealed record MonitorUrls(string Flv, string Hls);
