using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Streams;
using LiveRelay.Newsroom.Model;

namespace LiveRelay.Server.Pulling;

/// <summary>Where a pull stands.</summary>
public enum PullState
{
    /// <summary>An on-demand pull with no players: not connected; the first player starts it.</summary>
    Idle,

    Connecting,

    /// <summary>Media is arriving and published at the path.</summary>
    Live,

    /// <summary>The last attempt failed or the source stopped (see the last error); the next comes after a back-off.</summary>
    Retrying,

    /// <summary>The source refused in a way that needs a person (wrong password, no such stream, nothing that can be carried); still retried every 30 s.</summary>
    Failed,
}

/// <summary>A pull as the API shows it (the URL without credentials or stream key).</summary>
public sealed record PullStatus(
    string Id,
    string Path,
    string Url,
    string Transport,
    bool OnDemand,
    int IdleSeconds,
    string Origin,
    PullState State,
    string? LastError,
    DateTimeOffset? LiveSince,
    long BytesReceived,
    long FramesReceived,
    int Attempts);

/// <summary>What every pull uses: the streams, the clock, the log and the metrics.</summary>
public sealed record PullContext(StreamHub Hub, TimeProvider Time, ILogger Logger, LiveRelayMetrics Metrics);

/// <summary>A failure that retrying alone will not fix (the pull shows <see cref="PullState.Failed"/>).</summary>
public sealed class PullRefusedException(string message) : Exception(message);

/// <summary>
/// Pulls one URL into a live path and publishes what arrives there (players see an ordinary live
/// stream; a reconnect within the grace continues the same stream with a discontinuity). A source
/// that refuses, drops, or goes quiet (no media for <see cref="ReadTimeout"/>) is retried with
/// exponential back-off and jitter. An on-demand pull connects when a player asks for its path and
/// disconnects when nobody has played it for its idle time. Each protocol supplies one connection's work.
/// </summary>
public abstract partial class PullSource : IAsyncDisposable
{
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_idleCheck = TimeSpan.FromSeconds(1);

    private readonly string _shownUrl;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _demanded = new(0, 1);
    private readonly PullContext _context;
    private Task _run = Task.CompletedTask;
    private CancellationToken _attempt;
    private volatile PullState _state;
    private volatile string? _lastError;
    private long _bytesReceived;
    private long _framesReceived;
    private int _attempts;
    private DateTimeOffset? _liveSince;

    protected PullSource(PullDefinition definition, string shownUrl, PullContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Definition = definition;
        _shownUrl = shownUrl;
        _context = context;
        _state = definition.OnDemand ? PullState.Idle : PullState.Connecting;
        context.Metrics.SourceStateChanged("pull", null, StateName(_state));
    }

    public PullDefinition Definition { get; }

    /// <summary>"config" for pulls from configuration, "api" for the ones added at run time.</summary>
    public string Origin => Definition.Id.StartsWith("config-", StringComparison.Ordinal) ? "config" : "api";

    protected StreamHub Hub => _context.Hub;

    protected TimeProvider Time => _context.Time;

    protected ILogger Logger => _context.Logger;

    /// <summary>Cancelled when this attempt must end: the pull was removed, or an on-demand pull lost its last player.</summary>
    protected CancellationToken Stopping => _attempt;

    /// <summary>Starts the pull's loop.</summary>
    public void Start() => _run = Task.Run(RunAsync);

    public PullStatus Status => new(
        Definition.Id,
        Definition.Path,
        _shownUrl,
        Definition.Transport,
        Definition.OnDemand,
        Definition.IdleSeconds,
        Origin,
        _state,
        _lastError,
        _liveSince,
        Interlocked.Read(ref _bytesReceived),
        Interlocked.Read(ref _framesReceived),
        Volatile.Read(ref _attempts));

    /// <summary>A player asked for the path: an idle on-demand pull starts. True when this pull serves the path on demand.</summary>
    public bool Demand()
    {
        if (!Definition.OnDemand)
        {
            return false;
        }

        if (_demanded.CurrentCount == 0 && _state == PullState.Idle)
        {
            try
            {
                _demanded.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another player's request started it a moment ago.
            }
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        _context.Metrics.SourceStateChanged("pull", StateName(_state), null);
        _stop.Dispose();
        _demanded.Dispose();
    }

    private async Task RunAsync()
    {
        var failures = 0;
        while (!_stop.IsCancellationRequested)
        {
            if (Definition.OnDemand && !IsWanted())
            {
                SetState(PullState.Idle, _state == PullState.Idle ? _lastError : $"stopped: nobody played {Definition.Path} for {Definition.IdleSeconds} s");
                failures = 0;
                try
                {
                    await _demanded.WaitAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            _attempt = attempt.Token;
            var watch = Definition.OnDemand ? WatchForPlayersAsync(attempt) : Task.CompletedTask;
            var refused = false;
            try
            {
                var received = await PullOnceAsync().ConfigureAwait(false);
                failures = received ? 0 : failures;
                SetState(PullState.Retrying, "the source ended the stream");
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException) when (attempt.IsCancellationRequested)
            {
                // An on-demand pull that nobody plays any more: back to idle, no back-off.
                continue;
            }
            catch (PullRefusedException ex)
            {
                refused = true;
                SetState(PullState.Failed, ex.Message);
            }
            catch (Exception ex)
            {
                // Whatever one attempt throws (refusal, network, protocol, a bug) ends that attempt only: the pull shows it and retries.
                SetState(PullState.Retrying, ex is OperationCanceledException ? "the source did not answer in time" : ex.Message);
            }
            finally
            {
                await attempt.CancelAsync().ConfigureAwait(false);
                await watch.ConfigureAwait(false);
            }

            failures++;
            var backoff = refused ? s_maxBackoff : TimeSpan.FromSeconds(Math.Min(s_maxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures, 6) - 1)));
            try
            {
                await Task.Delay(backoff * (0.75 + (Random.Shared.NextDouble() * 0.5)), Time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Whether a player wants the path: one is attached now, or one asked within the idle time.</summary>
    private bool IsWanted()
    {
        if (Hub.Find(Definition.Path) is { } stream && stream.Audience.Any())
        {
            return true;
        }

        return Hub.LastDemand(Definition.Path) is { } at && Time.GetElapsedTime(at) < TimeSpan.FromSeconds(Definition.IdleSeconds);
    }

    /// <summary>Ends the attempt of an on-demand pull once nobody has played the path for its idle time.</summary>
    private async Task WatchForPlayersAsync(CancellationTokenSource attempt)
    {
        try
        {
            while (IsWanted())
            {
                await Task.Delay(s_idleCheck, Time, attempt.Token).ConfigureAwait(false);
            }

            await attempt.CancelAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The attempt ended on its own.
        }
    }

    /// <summary>One connection: receive and publish until the source ends; true when media arrived.</summary>
    protected abstract Task<bool> PullOnceAsync();

    /// <summary>Publishes at the pull's path; throws when the path is taken.</summary>
    protected StreamPublisher PublishAtPath(string protocol)
    {
        var status = Hub.TryPublish(Definition.Path, new PublisherInfo(protocol, _shownUrl), out var publisher);
        return publisher ?? throw new PullRefusedException($"cannot publish at {Definition.Path}: {status}");
    }

    /// <summary>Counts received bytes and frames; the first frame makes the pull live.</summary>
    protected void Received(long bytes, int frames)
    {
        Interlocked.Add(ref _bytesReceived, bytes);
        _context.Metrics.BytesReceived("pull", bytes);
        if (frames > 0)
        {
            Interlocked.Add(ref _framesReceived, frames);
            if (_state != PullState.Live)
            {
                _liveSince = Time.GetUtcNow();
                SetState(PullState.Live, null);
            }
        }
    }

    protected void Attempt()
    {
        Interlocked.Increment(ref _attempts);
        _context.Metrics.SourceAttempt("pull", _shownUrl[.._shownUrl.IndexOf(':', StringComparison.Ordinal)]);
        SetState(PullState.Connecting, _lastError);
    }

    private static string StateName(PullState state) => state switch
    {
        PullState.Idle => "idle",
        PullState.Connecting => "connecting",
        PullState.Live => "live",
        PullState.Retrying => "retrying",
        _ => "failed",
    };

    private void SetState(PullState state, string? error)
    {
        if (_state != state || _lastError != error)
        {
            if (_state != state)
            {
                _context.Metrics.SourceStateChanged("pull", StateName(_state), StateName(state));
            }

            _state = state;
            _lastError = error;
            if (state != PullState.Live)
            {
                _liveSince = null;
            }

            Log.StateChanged(Logger, Definition.Id, Definition.Path, _shownUrl, state, error ?? "");
        }
    }

    protected static partial class Log
    {
        [LoggerMessage(2510, LogLevel.Information, "Pull {PullId} of {Source} into {StreamPath}: {State} {Error}")]
        internal static partial void StateChanged(ILogger logger, string pullId, string streamPath, string source, PullState state, string error);

        [LoggerMessage(2511, LogLevel.Debug, "Pull into {StreamPath}: media ignored: {Problem}")]
        internal static partial void MediaIgnored(ILogger logger, string streamPath, string problem);

        [LoggerMessage(2512, LogLevel.Information, "Pull into {StreamPath}: {Track} is left out: {Reason}")]
        internal static partial void TrackLeftOut(ILogger logger, string streamPath, string track, string reason);
    }
}
