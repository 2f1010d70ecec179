using System.Collections.Concurrent;
using System.Threading.Channels;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Newsroom.Access;
using LiveRelay.Newsroom.Model;
using LiveRelay.Newsroom.Rundowns;
using LiveRelay.Newsroom.Switching;
using LiveRelay.Server.Api;
using LiveRelay.Server.Control.Monitoring;
using Microsoft.AspNetCore.SignalR;

namespace LiveRelay.Server.Control;

/// <summary>
/// What the control pages hear: feeds coming and going, their health once a second, rundown changes,
/// tally, partner pulls and alerts, each sent to the hub groups allowed to see it
/// (<see cref="ControlScope"/>). Events are raised on publisher and switcher threads; they are queued
/// and sent in order by one loop, so no publisher ever waits on a browser.
/// </summary>
public sealed partial class ControlPlane(
    IHubContext<ControlHub> hub,
    StreamHub streams,
    NewsroomService newsroom,
    PullAuthorizer pulls,
    ControlScope scope,
    FeedMonitors monitors,
    FeedAlerts alerts,
    TimeProvider time,
    ILogger<ControlPlane> logger) : IHostedService, IAsyncDisposable
{
    private const int OutboxCapacity = 10_000;
    private const int MaxSendsInFlight = 64;
    private static readonly TimeSpan s_tick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_sendTimeout = TimeSpan.FromSeconds(5);

    private readonly Channel<Outgoing> _outbox = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(OutboxCapacity)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    // Pulls are described with the station's name, which may be newer than the scope's last reload:
    // one loop, in order, reloads it when a name is missing.
    private readonly Channel<PullActivity> _pulls = Channel.CreateBounded<PullActivity>(new BoundedChannelOptions(OutboxCapacity)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    private readonly ConcurrentDictionary<string, Rundown> _rundowns = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task _sender = Task.CompletedTask;
    private Task _ticker = Task.CompletedTask;
    private Task _pullSender = Task.CompletedTask;
    private readonly SemaphoreSlim _sending = new(MaxSendsInFlight, MaxSendsInFlight);
    private int _started;
    private int _stopped;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _started, 1);
        await scope.RefreshAsync(cancellationToken).ConfigureAwait(false);
        foreach (var rundown in await newsroom.ListRundownsAsync().ConfigureAwait(false))
        {
            Remember(rundown);
        }

        streams.PublisherAttached += OnPublisherAttached;
        streams.PublisherDetached += OnPublisherDetached;
        streams.StreamEnded += OnStreamEnded;
        newsroom.RundownChanged += OnRundownChanged;
        newsroom.RundownRemoved += OnRundownRemoved;
        newsroom.ProgramChanged += OnProgramChanged;
        pulls.Activity += OnPull;
        alerts.Changed += OnAlert;
        _sender = Task.Run(SendLoopAsync, CancellationToken.None);
        _ticker = Task.Run(TickLoopAsync, CancellationToken.None);
        _pullSender = Task.Run(PullLoopAsync, CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        streams.PublisherAttached -= OnPublisherAttached;
        streams.PublisherDetached -= OnPublisherDetached;
        streams.StreamEnded -= OnStreamEnded;
        newsroom.RundownChanged -= OnRundownChanged;
        newsroom.RundownRemoved -= OnRundownRemoved;
        newsroom.ProgramChanged -= OnProgramChanged;
        pulls.Activity -= OnPull;
        alerts.Changed -= OnAlert;
        await _stop.CancelAsync().ConfigureAwait(false);
        _pulls.Writer.TryComplete();
        await _pullSender.ConfigureAwait(false);
        _outbox.Writer.TryComplete();
        await Task.WhenAll(_sender, _ticker).ConfigureAwait(false);
        await monitors.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops if the host did not (it failed to start after this service did); disposed once.</summary>
    public async ValueTask DisposeAsync()
    {
        // Disposed twice: as a singleton and as the hosted service that is the same instance.
        if (Volatile.Read(ref _started) == 1)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        if (Interlocked.Exchange(ref _started, 2) != 2)
        {
            _stop.Dispose();
        }
    }

    /// <summary>Everything <paramref name="user"/> may see now.</summary>
    public async Task<ControlState> GetStateAsync(ControlUser user, UserView view)
    {
        await scope.RefreshAsync().ConfigureAwait(false);
        var rundowns = (await newsroom.ListRundownsAsync().ConfigureAwait(false))
            .Where(r => ControlScope.CanSee(user, scope.RundownAudience(r)))
            .ToList();
        foreach (var rundown in rundowns)
        {
            Remember(rundown);
        }

        var live = streams.Streams.Where(s => s.State != StreamState.Ended && !FeedMonitors.IsProgram(s.Path)).ToList();
        var feeds = live.Where(s => ControlScope.CanSee(user, scope.FeedAudience(s.Path))).Select(Status).ToList();
        feeds.AddRange(scope.Feeds.Values
            .Where(f => live.All(s => s.Path != f.Path) && ControlScope.CanSee(user, scope.FeedAudience(f.Path)))
            .Select(f => new FeedStatus(f.Path, f.Name, f.Id, f.StationId, false, null, null, null, null, null)));

        return new ControlState(
            view,
            feeds,
            [.. rundowns.Select(View)],
            [.. rundowns.Select(r => Tally(r))],
            [.. pulls.Current().Where(p => ControlScope.CanSee(user, StreamAudience(p.StreamPath))).Select(Pull)],
            [.. alerts.Recent.Where(a => ControlScope.CanSee(user, StreamAudience(a.Path)))],
            [.. scope.Stations.Values.OrderBy(s => s.Name, StringComparer.Ordinal)]);
    }

    /// <summary>The rundown as the page shows it, with its program's live state.</summary>
    public RundownView View(Rundown rundown) => RundownView.Of(rundown, newsroom.GetProgram(rundown.Id));

    /// <summary>Whether the user may see a stream (a feed, or a program output through its rundown).</summary>
    public bool CanSeeStream(ControlUser user, string path) => ControlScope.CanSee(user, StreamAudience(path));

    /// <summary>The rundown if <paramref name="user"/> may run it; otherwise why not.</summary>
    public async Task<(Rundown? Rundown, string? Refusal)> RundownToRunAsync(ControlUser user, string? rundownId)
    {
        ArgumentNullException.ThrowIfNull(user);
        var rundown = rundownId is null ? null : await newsroom.GetRundownAsync(rundownId).ConfigureAwait(false);
        if (rundown is null || !ControlScope.CanSee(user, scope.RundownAudience(rundown)))
        {
            return (null, $"rundown {rundownId} does not exist");
        }

        return ControlScope.CanRun(user, rundown)
            ? (rundown, null)
            : (rundown, $"rundown '{rundown.Title}' belongs to another station: it is shared with yours to watch, not to run");
    }

    /// <summary>The share through which <paramref name="user"/> sees a stream of another station, or null (own, hub-wide, or of no station).</summary>
    public Share? ShareFor(ControlUser user, string path)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.StationId is not { } station)
        {
            return null;
        }

        if (FeedMonitors.IsProgram(path))
        {
            return _rundowns.TryGetValue(path[Rundown.ProgramPathFor("").Length..], out var rundown) && rundown.StationId is { } owner && owner != station
                ? scope.ShareWith(station, ShareKind.Rundown, rundown.Id)
                : null;
        }

        return scope.Feeds.TryGetValue(path, out var feed) && feed.StationId is { } feedOwner && feedOwner != station
            ? scope.ShareWith(station, ShareKind.Feed, feed.Id)
            : null;
    }

    /// <summary>The page's name for a stream: its registered feed's name, else its path.</summary>
    public string FeedName(string path) => scope.Feeds.TryGetValue(path, out var feed) ? feed.Name : path;

    private string[] StreamAudience(string path) =>
        FeedMonitors.IsProgram(path)
            ? _rundowns.TryGetValue(path[Rundown.ProgramPathFor("").Length..], out var rundown) ? scope.RundownAudience(rundown) : [ControlGroups.Hub]
            : scope.FeedAudience(path);

    private FeedStatus Status(LiveStream stream)
    {
        var feed = scope.Feeds.GetValueOrDefault(stream.Path);
        var online = stream.State == StreamState.Live && stream.Publisher is not null;
        var publisher = online ? stream.Publisher : null;
        return new FeedStatus(
            stream.Path,
            feed?.Name ?? stream.Path,
            feed?.Id,
            feed?.StationId,
            online,
            publisher?.Protocol,
            publisher?.RemoteAddress,
            online ? stream.PublishedAt : null,
            stream.VideoTrack is { } v ? new FeedVideo(CodecName(v.Codec), v.Width, v.Height) : null,
            stream.AudioTrack is { } a ? new FeedAudio(CodecName(a.Codec), a.SampleRate, a.Channels) : null);
    }

    private Tally Tally(Rundown rundown, ProgramStatus? status = null)
    {
        var program = status ?? newsroom.GetProgram(rundown.Id);
        return new Tally(
            rundown.Id,
            rundown.ProgramPath,
            program?.OnAirSource ?? rundown.Items.FirstOrDefault(i => i.Id == rundown.OnAirItemId)?.Source,
            rundown.Items.FirstOrDefault(i => i.Id == rundown.PreviewItemId)?.Source,
            rundown.OnAirItemId,
            rundown.PreviewItemId,
            program?.ShowingSource,
            program?.Mode,
            program?.LastTakeLatencyMs);
    }

    private FeedHealth Health(LiveStream stream)
    {
        var (fps, videoBps) = stream.VideoRate.Rate();
        var (_, audioBps) = stream.AudioRate.Rate();
        var monitor = monitors.Find(stream.Path);
        var video = stream.VideoTrack;
        return new FeedHealth(
            stream.Path,
            Math.Round((videoBps + audioBps) / 1000, 1),
            Math.Round(fps, 2),
            Math.Round(MediaClock.ToSeconds(stream.KeyframeInterval), 2),
            stream.SinceLastKeyframe is { } since ? Math.Round(since.TotalSeconds, 1) : null,
            video?.Width ?? 0,
            video?.Height ?? 0,
            monitor?.AudioLevelDb,
            monitor?.ThumbnailVersion ?? 0,
            stream.Publisher?.Transport?.Snapshot());
    }

    private PullView Pull(PullActivity pull) => PullView.Of(pull, scope.Stations.GetValueOrDefault(pull.StationId)?.Name);

    private static string CodecName(CodecId codec) => codec switch
    {
        CodecId.H264 => "H264",
        CodecId.H265 => "H265",
        CodecId.Aac => "AAC",
        CodecId.Opus => "Opus",
        CodecId.G711A => "G711A",
        CodecId.G711U => "G711U",
        _ => "unknown",
    };

    private void OnPublisherAttached(LiveStream stream, StreamPublisher publisher)
    {
        if (!FeedMonitors.IsProgram(stream.Path))
        {
            alerts.FeedOnline(stream.Path);
            Send(scope.FeedAudience(stream.Path), "feedOnline", Status(stream));
        }
    }

    private void OnPublisherDetached(LiveStream stream)
    {
        if (!FeedMonitors.IsProgram(stream.Path))
        {
            alerts.FeedLost(stream.Path);
            Send(scope.FeedAudience(stream.Path), "feedOffline", Status(stream) with { Online = false });
        }
    }

    private void OnStreamEnded(LiveStream stream)
    {
        alerts.StreamEnded(stream.Path);
        if (!FeedMonitors.IsProgram(stream.Path))
        {
            Send(scope.FeedAudience(stream.Path), "feedOffline", Status(stream) with { Online = false });
        }
    }

    /// <summary>Keeps the newest version of a rundown (a list read earlier must not overwrite a change that came since).</summary>
    private void Remember(Rundown rundown) =>
        _rundowns.AddOrUpdate(rundown.Id, rundown, (_, cached) => rundown.Version >= cached.Version ? rundown : cached);

    private void OnRundownChanged(Rundown rundown)
    {
        Remember(rundown);
        var audience = scope.RundownAudience(rundown);
        Send(audience, "rundownChanged", View(rundown));
        Send(audience, "tally", Tally(rundown));
    }

    private void OnRundownRemoved(string id)
    {
        if (_rundowns.TryRemove(id, out var rundown))
        {
            alerts.StreamEnded(rundown.ProgramPath);
            Send(scope.RundownAudience(rundown), "rundownRemoved", id);
        }
    }

    private void OnProgramChanged(string rundownId, ProgramStatus status)
    {
        if (!_rundowns.TryGetValue(rundownId, out var rundown))
        {
            return;
        }

        Send(scope.RundownAudience(rundown), "tally", Tally(rundown, status));
        if (status.Mode is ProgramMode.Slate or ProgramMode.FallbackFeed or ProgramMode.Holding)
        {
            alerts.Raise(AlertKind.Fallback, AlertSeverity.Critical, rundown.ProgramPath, $"'{rundown.Title}': {status.OnAirSource} was lost, the program is on {Describe(status)}");
        }
        else if (status.Mode == ProgramMode.OnAir)
        {
            alerts.Clear(AlertKind.Fallback, rundown.ProgramPath);
        }
    }

    private static string Describe(ProgramStatus status) => status.Mode switch
    {
        ProgramMode.Slate => "the slate",
        ProgramMode.FallbackFeed => $"the backup feed {status.ShowingSource}",
        _ => "hold (nothing sent until it returns)",
    };

    private void OnPull(PullActivity pull) => _pulls.Writer.TryWrite(pull);

    private async Task PullLoopAsync()
    {
        await foreach (var pull in _pulls.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                if (!scope.Stations.ContainsKey(pull.StationId))
                {
                    await scope.RefreshAsync(_stop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.RefreshFailed(logger, ex);
            }

            Send(StreamAudience(pull.StreamPath), pull.EndedAt is null ? "pullStarted" : "pullEnded", Pull(pull));
        }
    }

    private void OnAlert(Alert alert) => Send(StreamAudience(alert.Path), "alert", alert);

    private void Send(string[] groups, string method, object argument)
    {
        if (!_outbox.Writer.TryWrite(new Outgoing(groups, method, argument)))
        {
            Log.OutboxClosed(logger, method);
        }
    }

    /// <summary>
    /// Sends in order without waiting for each send to finish: SignalR waits for every recipient's
    /// transport, and one stalled browser must not hold up every other page. A send that a recipient
    /// does not take within <see cref="s_sendTimeout"/> is given up for that recipient.
    /// </summary>
    private async Task SendLoopAsync()
    {
        await foreach (var message in _outbox.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await _sending.WaitAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = SendOneAsync(message);
        }
    }

    private async Task SendOneAsync(Outgoing message)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(s_sendTimeout);
            await hub.Clients.Groups(message.Groups).SendAsync(message.Method, message.Argument, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            Log.SendSlow(logger, message.Method);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            Log.SendFailed(logger, message.Method, ex);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task TickLoopAsync()
    {
        using var timer = new PeriodicTimer(s_tick, time);
        var ticks = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    if (++ticks % 5 == 0)
                    {
                        await scope.RefreshAsync(_stop.Token).ConfigureAwait(false);
                    }

                    await monitors.TickAsync(streams.Streams).ConfigureAwait(false);
                    SendHealth();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.TickFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>Every live feed's health, one message per audience.</summary>
    private void SendHealth()
    {
        var now = time.GetUtcNow();
        var byAudience = new Dictionary<string, (string[] Groups, List<FeedHealth> Health)>(StringComparer.Ordinal);
        foreach (var stream in streams.Streams)
        {
            if (stream.State != StreamState.Live || stream.Publisher is null || FeedMonitors.IsProgram(stream.Path))
            {
                continue;
            }

            var health = Health(stream);
            alerts.Evaluate(health, stream.VideoTrack is not null, now - stream.PublishedAt);
            var groups = scope.FeedAudience(stream.Path);
            var key = string.Join(',', groups);
            if (!byAudience.TryGetValue(key, out var entry))
            {
                entry = (groups, []);
                byAudience[key] = entry;
            }

            entry.Health.Add(health);
        }

        foreach (var (groups, health) in byAudience.Values)
        {
            Send(groups, "feedHealth", health);
        }
    }

    private sealed record Outgoing(string[] Groups, string Method, object Argument);

    private static partial class Log
    {
        [LoggerMessage(2420, LogLevel.Warning, "Control event {Method} not queued: the control plane is stopping")]
        public static partial void OutboxClosed(ILogger logger, string method);

        [LoggerMessage(2424, LogLevel.Debug, "Control event {Method} not taken by every page within 5 s (a stalled connection); given up for it")]
        public static partial void SendSlow(ILogger logger, string method);

        [LoggerMessage(2421, LogLevel.Warning, "Control event {Method} could not be sent")]
        public static partial void SendFailed(ILogger logger, string method, Exception exception);

        [LoggerMessage(2422, LogLevel.Error, "Control plane tick failed")]
        public static partial void TickFailed(ILogger logger, Exception exception);

        [LoggerMessage(2423, LogLevel.Warning, "Control plane could not reload feeds and stations; names may be stale")]
        public static partial void RefreshFailed(ILogger logger, Exception exception);
    }
}
