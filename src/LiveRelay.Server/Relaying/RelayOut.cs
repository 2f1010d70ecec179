using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Media;
using LiveRelay.Newsroom.Model;
using LiveRelay.Protocols.Rtmp.Client;

namespace LiveRelay.Server.Relaying;

/// <summary>Where a relay stands.</summary>
public enum RelayState
{
    /// <summary>The source is not live; the relay starts when it is.</summary>
    WaitingForSource,

    Connecting,

    /// <summary>Frames are going out.</summary>
    Live,

    /// <summary>The last attempt failed (see the last error); the next one comes after a back-off.</summary>
    Retrying,
}

/// <summary>A relay as the API shows it (the URL without its stream name, which may carry a key).</summary>
public sealed record RelayStatus(
    string Id,
    string Source,
    string Url,
    string Origin,
    RelayState State,
    string? LastError,
    DateTimeOffset? LiveSince,
    long BytesSent,
    long FramesSent,
    int Attempts);

/// <summary>What every relay uses: the streams, the clock, the log and the metrics.</summary>
public sealed record RelayContext(StreamHub Hub, TimeProvider Time, ILogger Logger, LiveRelayMetrics Metrics);

/// <summary>
/// Pushes one live stream to one target: waits for the source, connects, sends from the GOP cache's
/// keyframe on, follows the source through publisher reconnects (the reader stays on the same live
/// stream), and retries with exponential back-off and jitter when the target refuses or drops.
/// Each protocol supplies one connection's work.
/// </summary>
public abstract partial class RelayOut : IAsyncDisposable
{
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(10);

    private readonly string _shownUrl;
    private readonly StreamHub _hub;
    private readonly ILogger _logger;
    private readonly LiveRelayMetrics _metrics;
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;
    private volatile RelayState _state = RelayState.WaitingForSource;
    private volatile string? _lastError;
    private long _bytesSent;
    private long _framesSent;
    private int _attempts;
    private DateTimeOffset? _liveSince;

    protected RelayOut(RelayDefinition definition, string shownUrl, RelayContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Definition = definition;
        _shownUrl = shownUrl;
        _hub = context.Hub;
        Time = context.Time;
        _logger = context.Logger;
        _metrics = context.Metrics;
        _metrics.SourceStateChanged("relay", null, StateName(_state));
    }

    public RelayDefinition Definition { get; }

    /// <summary>"config" for relays from configuration, "api" for the ones added at run time.</summary>
    public string Origin => Definition.Id.StartsWith("config-", StringComparison.Ordinal) ? "config" : "api";

    protected TimeProvider Time { get; }

    /// <summary>Cancelled when the relay is removed.</summary>
    protected CancellationToken Stopping => _stop.Token;

    /// <summary>The target as logs and the API show it (no stream key).</summary>
    protected string ShownUrl => _shownUrl;

    public void Start() => _run = Task.Run(RunAsync);

    public RelayStatus Status => new(
        Definition.Id,
        Definition.Source,
        _shownUrl,
        Origin,
        _state,
        _lastError,
        _liveSince,
        Interlocked.Read(ref _bytesSent),
        Interlocked.Read(ref _framesSent),
        Volatile.Read(ref _attempts));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        _metrics.SourceStateChanged("relay", StateName(_state), null);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var failures = 0;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (_hub.Find(Definition.Source) is not { State: StreamState.Live } stream || stream.Publisher is null)
                {
                    SetState(RelayState.WaitingForSource, null);
                    await Task.Delay(TimeSpan.FromMilliseconds(500), Time, _stop.Token).ConfigureAwait(false);
                    continue;
                }

                var sent = await PushAsync(stream).ConfigureAwait(false);
                failures = sent ? 0 : failures;
                if (stream.State == StreamState.Ended)
                {
                    // The source ended: wait for the next one without counting it as a failure.
                    continue;
                }

                SetState(RelayState.Retrying, "the target closed the connection");
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Whatever one attempt throws (refusal, network, protocol, a bug) ends that attempt only: the relay shows it and retries.
                SetState(RelayState.Retrying, ex is OperationCanceledException ? "the target did not answer in time" : ex.Message);
            }

            failures++;
            var backoff = TimeSpan.FromSeconds(Math.Min(s_maxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures, 6) - 1)));
            var jittered = backoff * (0.75 + (Random.Shared.NextDouble() * 0.5));
            try
            {
                await Task.Delay(jittered, Time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One connection: send until the source ends or the target goes; true when frames went out.</summary>
    protected abstract Task<bool> PushAsync(LiveStream stream);

    protected void Attempt()
    {
        Interlocked.Increment(ref _attempts);
        _metrics.SourceAttempt("relay", _shownUrl[.._shownUrl.IndexOf(':', StringComparison.Ordinal)]);
        SetState(RelayState.Connecting, _lastError);
    }

    /// <summary>Counts what went out; the first frames make the relay live.</summary>
    protected void Sent(long bytes, int frames)
    {
        Interlocked.Add(ref _bytesSent, bytes);
        _metrics.BytesSent("relay", bytes);
        Interlocked.Add(ref _framesSent, frames);
        if (frames > 0 && _state != RelayState.Live)
        {
            _liveSince = Time.GetUtcNow();
            SetState(RelayState.Live, null);
        }
    }

    /// <summary>The connection ended.</summary>
    protected void Ended() => _liveSince = null;

    private void SetState(RelayState state, string? error)
    {
        if (_state != state || _lastError != error)
        {
            if (_state != state)
            {
                _metrics.SourceStateChanged("relay", StateName(_state), StateName(state));
            }

            _state = state;
            _lastError = error;
            Log.StateChanged(_logger, Definition.Id, Definition.Source, _shownUrl, state, error ?? "");
        }
    }

    private static string StateName(RelayState state) => state switch
    {
        RelayState.WaitingForSource => "waitingForSource",
        RelayState.Connecting => "connecting",
        RelayState.Live => "live",
        _ => "retrying",
    };

    private static partial class Log
    {
        [LoggerMessage(2500, LogLevel.Information, "Relay {RelayId} of {StreamPath} to {Target}: {State} {Error}")]
        public static partial void StateChanged(ILogger logger, string relayId, string streamPath, string target, RelayState state, string error);
    }
}
