using LiveRelay.Core.Streams;
using LiveRelay.Protocols.Rtmp.Chunks;
using LiveRelay.Protocols.Rtmp.Client;

namespace LiveRelay.Server.Pulling;

/// <summary>A pull source as configured or posted: the server pulls <see cref="Url"/> into the live path <see cref="Path"/>.</summary>
public sealed record PullDefinition(string Id, string Path, string Url, string Transport, bool OnDemand);

/// <summary>Where a pull stands.</summary>
public enum PullState
{
    Connecting,

    /// <summary>Media is arriving and published at the path.</summary>
    Live,

    /// <summary>The last attempt failed or the source stopped (see the last error); the next comes after a back-off.</summary>
    Retrying,
}

/// <summary>A pull as the API shows it (the URL without credentials or stream key).</summary>
public sealed record PullStatus(
    string Id,
    string Path,
    string Url,
    string Transport,
    bool OnDemand,
    PullState State,
    string? LastError,
    DateTimeOffset? LiveSince,
    long BytesReceived,
    long FramesReceived,
    int Attempts);

/// <summary>
/// Pulls one URL into a live path and publishes what arrives there (players see an ordinary live
/// stream; a reconnect within the grace continues the same stream with a discontinuity). A source
/// that refuses, drops, or goes quiet (no media for <see cref="ReadTimeout"/>) is retried with
/// exponential back-off and jitter. Each protocol supplies one connection's work.
/// </summary>
public abstract partial class PullSource : IAsyncDisposable
{
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(10);

    private readonly string _shownUrl;
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;
    private volatile PullState _state = PullState.Connecting;
    private volatile string? _lastError;
    private long _bytesReceived;
    private long _framesReceived;
    private int _attempts;
    private DateTimeOffset? _liveSince;

    protected PullSource(PullDefinition definition, string shownUrl, StreamHub hub, TimeProvider time, ILogger logger)
    {
        Definition = definition;
        _shownUrl = shownUrl;
        Hub = hub;
        Time = time;
        Logger = logger;
    }

    public PullDefinition Definition { get; }

    protected StreamHub Hub { get; }

    protected TimeProvider Time { get; }

    protected ILogger Logger { get; }

    /// <summary>Cancelled when the pull is removed.</summary>
    protected CancellationToken Stopping => _stop.Token;

    /// <summary>Starts the pull's loop.</summary>
    public void Start() => _run = Task.Run(RunAsync);

    public PullStatus Status => new(
        Definition.Id,
        Definition.Path,
        _shownUrl,
        Definition.Transport,
        Definition.OnDemand,
        _state,
        _lastError,
        _liveSince,
        Interlocked.Read(ref _bytesReceived),
        Interlocked.Read(ref _framesReceived),
        Volatile.Read(ref _attempts));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var failures = 0;
        while (!_stop.IsCancellationRequested)
        {
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
            catch (Exception ex)
            {
                // Whatever one attempt throws (refusal, network, protocol, a bug) ends that attempt only: the pull shows it and retries.
                SetState(PullState.Retrying, ex is OperationCanceledException ? "the source did not answer in time" : ex.Message);
            }

            failures++;
            var backoff = TimeSpan.FromSeconds(Math.Min(s_maxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures, 6) - 1)));
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

    /// <summary>One connection: receive and publish until the source ends; true when media arrived.</summary>
    protected abstract Task<bool> PullOnceAsync();

    /// <summary>Publishes at the pull's path; throws when the path is taken.</summary>
    protected StreamPublisher PublishAtPath(string protocol)
    {
        var status = Hub.TryPublish(Definition.Path, new PublisherInfo(protocol, _shownUrl), out var publisher);
        return publisher ?? throw new InvalidDataException($"cannot publish at {Definition.Path}: {status}");
    }

    /// <summary>Counts received bytes and frames; the first frame makes the pull live.</summary>
    protected void Received(long bytes, int frames)
    {
        Interlocked.Add(ref _bytesReceived, bytes);
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
        SetState(PullState.Connecting, _lastError);
    }

    private void SetState(PullState state, string? error)
    {
        if (_state != state || _lastError != error)
        {
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
    }
}
