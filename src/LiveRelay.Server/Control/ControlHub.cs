using LiveRelay.Newsroom.Access;
using LiveRelay.Newsroom.Rundowns;
using LiveRelay.Newsroom.Storage;
using LiveRelay.Server.Api;
using LiveRelay.Server.Configuration;
using LiveRelay.Server.Control.Monitoring;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace LiveRelay.Server.Control;

/// <summary>
/// <c>/hubs/control</c>: the director's commands, each answered with a <see cref="CommandResult"/>
/// (docs/control.md). Signed-in users only; a connection joins the groups of its user's station, and
/// every command checks that the user may run the rundown it names.
/// </summary>
[Authorize]
public sealed partial class ControlHub(
    ControlPlane plane,
    ControlScope scope,
    NewsroomService newsroom,
    INewsroomStore store,
    FeedMonitors monitors,
    ControlConnections connections,
    UserAccounts accounts,
    PlayTokens tokens,
    LiveRelayOptions options,
    TimeProvider time,
    ILogger<ControlHub> logger) : Hub
{
    private static readonly TimeSpan s_monitorTokenLifetime = TimeSpan.FromHours(1);

    private ControlUser CurrentUser => ControlUser.From(Context.User) ?? throw new HubException("not signed in");

    public override async Task OnConnectedAsync()
    {
        var user = CurrentUser;
        if (await store.GetUserAsync(user.Id).ConfigureAwait(false) is null)
        {
            // Signed in before the user was removed.
            Log.Refused(logger, user.Username, "the user no longer exists");
            Context.Abort();
            return;
        }

        foreach (var group in user.Groups)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, group).ConfigureAwait(false);
        }

        connections.Add(user.Id, Context);
        monitors.Watch(Context.ConnectionId, true);
        Log.Connected(logger, user.Username, user.StationId ?? "(hub-wide)", Context.ConnectionId);
        await base.OnConnectedAsync().ConfigureAwait(false);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (ControlUser.From(Context.User) is { } user)
        {
            connections.Remove(user.Id, Context.ConnectionId);
        }

        monitors.Watch(Context.ConnectionId, false);
        Log.Disconnected(logger, Context.User?.Identity?.Name ?? "?", Context.ConnectionId, exception?.Message ?? "closed");
        return base.OnDisconnectedAsync(exception);
    }

    public async Task<ControlState> GetState()
    {
        var user = CurrentUser;
        var stored = await store.GetUserAsync(user.Id).ConfigureAwait(false) ?? throw new HubException("the user no longer exists");
        var station = stored.StationId is { } id ? await store.GetStationAsync(id).ConfigureAwait(false) : null;
        return await plane.GetStateAsync(user, new UserView(stored.Id, stored.Username, stored.DisplayName, stored.Role, stored.StationId, station?.Name, stored.CreatedAt)).ConfigureAwait(false);
    }

    public async Task<CommandResult> CreateRundown(NewRundownRequest input)
    {
        var user = CurrentUser;
        var result = await newsroom.CreateRundownAsync(new NewRundown(input?.Title, user.StationId, input?.PlannedStart, null, null, null)).ConfigureAwait(false);
        return result.Ok ? CommandResult.Success(plane.View(result.Value!)) : CommandResult.Refused(result.Message!);
    }

    public Task<CommandResult> SetPreview(string rundownId, string? itemId, long? version) =>
        RunAsync(rundownId, "preview", () => newsroom.SetPreviewAsync(rundownId, itemId, version));

    public Task<CommandResult> PreviewSource(string rundownId, string path, long? version) =>
        RunAsync(rundownId, "preview source", () => newsroom.PreviewSourceAsync(rundownId, path, path is null ? null : plane.FeedName(path), version), path, null);

    public Task<CommandResult> Take(string rundownId, string? itemId) =>
        RunAsync(rundownId, "take", () => newsroom.TakeAsync(rundownId, itemId));

    public Task<CommandResult> AddItem(string rundownId, NewItem item, long? version) =>
        RunAsync(
            rundownId,
            "add item",
            async () =>
            {
                var result = await newsroom.AddItemAsync(rundownId, item ?? new NewItem(null, null, null, null, null, null), version).ConfigureAwait(false);
                return result.Ok ? result.Value.Rundown : NewsroomResult<LiveRelay.Newsroom.Model.Rundown>.Fail(result.Error, result.Message!);
            },
            item?.Source,
            item?.FeedId);

    public Task<CommandResult> UpdateItem(string rundownId, string itemId, ItemPatch patch, long? version) =>
        RunAsync(rundownId, "edit item", () => newsroom.UpdateItemAsync(rundownId, itemId, patch ?? new ItemPatch(null, null, null, null, null, null), version), patch?.Source, patch?.FeedId);

    public Task<CommandResult> RemoveItem(string rundownId, string itemId, long? version) =>
        RunAsync(rundownId, "remove item", () => newsroom.RemoveItemAsync(rundownId, itemId, version));

    public Task<CommandResult> ReorderItems(string rundownId, IReadOnlyList<string> itemIds, long? version) =>
        RunAsync(rundownId, "reorder", () => newsroom.ReorderAsync(rundownId, itemIds, version));

    public Task<CommandResult> MarkDone(string rundownId, string itemId, long? version) =>
        RunAsync(rundownId, "mark done", () => newsroom.MarkDoneAsync(rundownId, itemId, version));

    /// <summary>Thumbnails and audio meters run only while some page watches.</summary>
    public void SetWatching(bool watching) => monitors.Watch(Context.ConnectionId, watching);

    /// <summary>The shares of a rundown the user may see, with each partner's pull links.</summary>
    public async Task<IReadOnlyList<ShareInfo>> GetLinks(string rundownId)
    {
        var user = CurrentUser;
        var rundown = await newsroom.GetRundownAsync(rundownId).ConfigureAwait(false);
        if (rundown is null || !plane.CanSeeStream(user, rundown.ProgramPath) || !ControlScope.CanRun(user, rundown))
        {
            return [];
        }

        var http = Context.GetHttpContext() ?? throw new HubException("no HTTP context");
        var bases = NewsroomApi.Bases(http, options);
        var stations = (await store.ListStationsAsync().ConfigureAwait(false)).ToDictionary(s => s.Id, s => s.Name, StringComparer.Ordinal);
        List<ShareInfo> shares = [];
        // A station's own rundowns show every partner's links; a hub rundown shows a station user only its own station's.
        var everyShare = user.IsHubWide || rundown.StationId == user.StationId;
        foreach (var share in await store.ListSharesAsync(targetId: rundownId).ConfigureAwait(false))
        {
            if (!everyShare && share.StationId != user.StationId)
            {
                continue;
            }

            var links = share.IsActive(time.GetUtcNow()) ? await newsroom.GetLinksAsync(share.Id, bases).ConfigureAwait(false) : default;
            shares.Add(new ShareInfo(
                share.Id,
                share.StationId,
                stations.GetValueOrDefault(share.StationId),
                share.ExpiresAt,
                share.RevokedAt,
                links.Ok ? links.Value!.Program : null,
                links.Ok ? links.Value!.Feeds : []));
        }

        return shares;
    }

    /// <summary>Where the page's monitors play a stream (with a monitor token, which passes whatever the play policy says).</summary>
    public MonitorUrls GetMonitorUrls(string path)
    {
        var user = CurrentUser;
        if (string.IsNullOrEmpty(path) || !plane.CanSeeStream(user, path))
        {
            throw new HubException($"no stream {path} to monitor");
        }

        var query = "?token=" + Uri.EscapeDataString(MonitorToken(user, path));
        var escaped = string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        return new MonitorUrls($"/{escaped}.flv{query}", $"/{escaped}/index.m3u8{query}");
    }

    /// <summary>
    /// Runs a command on a rundown the user may run, with a source (a path, or a feed's) the user may
    /// see: a station cannot put another station's unshared feed on its program.
    /// </summary>
    /// <summary>
    /// A play token for a monitor: what the user sees through a share is played under that share
    /// (logged as the station's pull, ended when the share is revoked, never outliving it); the
    /// station's own streams get a short-lived monitor token.
    /// </summary>
    private string MonitorToken(ControlUser user, string path)
    {
        var now = time.GetUtcNow();
        var expires = now + s_monitorTokenLifetime;
        if (plane.ShareFor(user, path) is { } share)
        {
            return tokens.Issue(new PlayTokenClaims(share.StationId, path, share.Id, share.ExpiresAt is { } end && end < expires ? end : expires));
        }

        return tokens.Issue(new PlayTokenClaims(user.StationId ?? "hub", path, PullAuthorizer.MonitorShareId, expires));
    }

    private async Task<CommandResult> RunAsync(
        string rundownId,
        string command,
        Func<Task<NewsroomResult<LiveRelay.Newsroom.Model.Rundown>>> run,
        string? source = null,
        string? feedId = null)
    {
        var user = CurrentUser;
        if (!await accounts.ExistsAsync(user.Id).ConfigureAwait(false))
        {
            Context.Abort();
            return CommandResult.Refused("the user no longer exists");
        }

        var (rundown, refusal) = await plane.RundownToRunAsync(user, rundownId).ConfigureAwait(false);
        if (refusal is null && await SourcePathAsync(source, feedId).ConfigureAwait(false) is { } path && !plane.CanSeeStream(user, path))
        {
            refusal = $"{path} is not a feed your station may use";
        }

        if (refusal is not null)
        {
            Log.CommandRefused(logger, user.Username, command, rundownId ?? "", refusal);
            return CommandResult.Refused(refusal, rundown is null ? null : plane.View(rundown));
        }

        var result = await run().ConfigureAwait(false);
        if (result.Ok)
        {
            Log.Command(logger, user.Username, command, rundownId!, result.Value!.Version);
            return CommandResult.Success(plane.View(result.Value!));
        }

        Log.CommandRefused(logger, user.Username, command, rundownId!, result.Message ?? result.Error.ToString());
        var current = await newsroom.GetRundownAsync(rundownId!).ConfigureAwait(false);
        return CommandResult.Refused(result.Message ?? result.Error.ToString(), current is null ? null : plane.View(current));
    }

    /// <summary>The stream path a command names (directly, or through a feed), or null.</summary>
    private async Task<string?> SourcePathAsync(string? source, string? feedId)
    {
        string? path = null;
        if (!string.IsNullOrWhiteSpace(feedId))
        {
            path = (await store.GetFeedAsync(feedId).ConfigureAwait(false))?.Path;
        }
        else if (!string.IsNullOrWhiteSpace(source) && LiveRelay.Core.Streams.StreamPath.TryNormalize(source, out var normalized, out _))
        {
            path = normalized;
        }

        if (path is not null)
        {
            // Who owns the path must be known now, not at the next periodic reload (a feed registered a moment ago counts).
            await scope.RefreshAsync().ConfigureAwait(false);
        }

        return path;
    }

    private static partial class Log
    {
        [LoggerMessage(2430, LogLevel.Information, "Control page of {Username} (station {StationId}) connected: {ConnectionId}")]
        public static partial void Connected(ILogger logger, string username, string stationId, string connectionId);

        [LoggerMessage(2431, LogLevel.Information, "Control page of {Username} disconnected: {ConnectionId} ({Reason})")]
        public static partial void Disconnected(ILogger logger, string username, string connectionId, string reason);

        [LoggerMessage(2432, LogLevel.Information, "{Username}: {Command} on rundown {RundownId}, now version {Version}")]
        public static partial void Command(ILogger logger, string username, string command, string rundownId, long version);

        [LoggerMessage(2433, LogLevel.Information, "{Username}: {Command} on rundown {RundownId} refused: {Reason}")]
        public static partial void CommandRefused(ILogger logger, string username, string command, string rundownId, string reason);

        [LoggerMessage(2434, LogLevel.Warning, "Control connection of {Username} refused: {Reason}")]
        public static partial void Refused(ILogger logger, string username, string reason);
    }
}

/// <summary>A rundown made from the control page (it belongs to the user's station).</summary>
public sealed record NewRundownRequest(string? Title, DateTimeOffset? PlannedStart);
