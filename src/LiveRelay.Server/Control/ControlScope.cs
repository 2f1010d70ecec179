using LiveRelay.Newsroom.Access;
using LiveRelay.Newsroom.Model;
using LiveRelay.Newsroom.Storage;

namespace LiveRelay.Server.Control;

/// <summary>
/// Who may see what (docs/control.md, "scoping"): the audience of a feed or a rundown as hub groups,
/// from the registered feeds (reloaded every few seconds) and the active shares (in memory).
/// </summary>
public sealed class ControlScope(INewsroomStore store, ShareRegistry shares, TimeProvider time)
{
    private static readonly string[] s_everyone = [ControlGroups.All];

    private volatile Snapshot _snapshot = new(new Dictionary<string, Feed>(StringComparer.Ordinal), new Dictionary<string, StationView>(StringComparer.Ordinal));

    /// <summary>Registered feeds by stream path.</summary>
    public IReadOnlyDictionary<string, Feed> Feeds => _snapshot.FeedsByPath;

    /// <summary>Stations by id.</summary>
    public IReadOnlyDictionary<string, StationView> Stations => _snapshot.Stations;

    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        var feeds = await store.ListFeedsAsync(cancellationToken).ConfigureAwait(false);
        var stations = await store.ListStationsAsync(cancellationToken).ConfigureAwait(false);
        _snapshot = new Snapshot(
            feeds.GroupBy(f => f.Path, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal),
            stations.ToDictionary(s => s.Id, s => new StationView(s.Id, s.Name, s.Code), StringComparer.Ordinal));
    }

    /// <summary>Who sees a stream: its feed's station, the stations the feed is shared with, and hub-wide users; everyone when it is no station's feed.</summary>
    public string[] FeedAudience(string path) =>
        Feeds.TryGetValue(path, out var feed) && feed.StationId is { } owner
            ? Audience(owner, ShareKind.Feed, feed.Id)
            : s_everyone;

    /// <summary>Who sees a rundown: its station, the stations it is shared with, and hub-wide users; everyone when it has no station.</summary>
    public string[] RundownAudience(Rundown rundown)
    {
        ArgumentNullException.ThrowIfNull(rundown);
        return rundown.StationId is { } owner ? Audience(owner, ShareKind.Rundown, rundown.Id) : s_everyone;
    }

    public static bool CanSee(ControlUser user, string[] audience)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(audience);
        return audience.Contains(ControlGroups.All)
            || (user.IsHubWide ? audience.Contains(ControlGroups.Hub) : audience.Contains(ControlGroups.Station(user.StationId!)));
    }

    /// <summary>Whether the user may run (edit, preview, take) a rundown: its own station's, or one of no station.</summary>
    public static bool CanRun(ControlUser user, Rundown rundown)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(rundown);
        return user.IsHubWide || rundown.StationId is null || rundown.StationId == user.StationId;
    }

    /// <summary>The active share of a target with a station, if there is one.</summary>
    public Share? ShareWith(string stationId, ShareKind kind, string targetId) =>
        shares.Active(time.GetUtcNow()).FirstOrDefault(s => s.Kind == kind && s.TargetId == targetId && s.StationId == stationId);

    private string[] Audience(string owner, ShareKind kind, string targetId)
    {
        List<string> groups = [ControlGroups.Hub, ControlGroups.Station(owner)];
        foreach (var share in shares.Active(time.GetUtcNow()))
        {
            if (share.Kind == kind && share.TargetId == targetId && share.StationId != owner)
            {
                groups.Add(ControlGroups.Station(share.StationId));
            }
        }

        return [.. groups.Distinct(StringComparer.Ordinal)];
    }

    private sealed record Snapshot(IReadOnlyDictionary<string, Feed> FeedsByPath, IReadOnlyDictionary<string, StationView> Stations);
}
