using LiveRelay.Core.Streams;
using LiveRelay.Formats.Flv;
using LiveRelay.Formats.Media;
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
/// Pulls one RTMP URL into a live path: plays it, turns its FLV bodies into media frames and
/// publishes them at the path (players see an ordinary live stream; a reconnect within the grace
/// continues the same stream with a discontinuity). A source that refuses, drops, or goes quiet
/// (no media for <see cref="ReadTimeout"/>) is retried with exponential back-off and jitter.
/// </summary>
public sealed partial class PullSource : IAsyncDisposable
{
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(10);

    private readonly RtmpUrl _url;
    private readonly StreamHub _hub;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private volatile PullState _state = PullState.Connecting;
    private volatile string? _lastError;
    private long _bytesReceived;
    private long _framesReceived;
    private int _attempts;
    private DateTimeOffset? _liveSince;

    public PullSource(PullDefinition definition, RtmpUrl url, StreamHub hub, TimeProvider time, ILogger logger)
    {
        Definition = definition;
        _url = url;
        _hub = hub;
        _time = time;
        _logger = logger;
        _run = Task.Run(RunAsync);
    }

    public PullDefinition Definition { get; }

    public PullStatus Status => new(
        Definition.Id,
        Definition.Path,
        _url.ToString(),
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
            catch (Exception ex) when (ex is RtmpClientException or IOException or System.Net.Sockets.SocketException or OperationCanceledException or TimeoutException or Formats.Amf.AmfFormatException or RtmpProtocolException)
            {
                SetState(PullState.Retrying, ex is OperationCanceledException ? "the source did not answer in time" : ex.Message);
            }

            failures++;
            var backoff = TimeSpan.FromSeconds(Math.Min(s_maxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures, 6) - 1)));
            try
            {
                await Task.Delay(backoff * (0.75 + (Random.Shared.NextDouble() * 0.5)), _time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One connection: play, publish what comes; true when media arrived.</summary>
    private async Task<bool> PullOnceAsync()
    {
        Interlocked.Increment(ref _attempts);
        SetState(PullState.Connecting, _lastError);
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        connect.CancelAfter(s_connectTimeout);
        await using var client = await RtmpClient.ConnectAsync(_url, connect.Token).ConfigureAwait(false);
        await client.PlayAsync(connect.Token).ConfigureAwait(false);

        var status = _hub.TryPublish(Definition.Path, new PublisherInfo("rtmp-pull", _url.ToString()), out var publisher);
        if (publisher is null)
        {
            throw new RtmpClientException($"cannot publish at {Definition.Path}: {status}");
        }

        using (publisher)
        {
            var media = new FlvMediaReader();
            var received = false;
            var lastBytes = client.BytesReceived;
            while (true)
            {
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                quiet.CancelAfter(ReadTimeout);
                RtmpMessage? next;
                try
                {
                    next = await client.ReadMessageAsync(quiet.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
                {
                    throw new TimeoutException($"no media from the source for {ReadTimeout.TotalSeconds:0} s");
                }

                if (next is not { } message)
                {
                    return received;
                }

                Interlocked.Add(ref _bytesReceived, client.BytesReceived - lastBytes);
                lastBytes = client.BytesReceived;
                if (!Publish(publisher, media, message))
                {
                    message.Payload.Release();
                    continue;
                }

                Interlocked.Increment(ref _framesReceived);
                if (!received)
                {
                    received = true;
                    _liveSince = _time.GetUtcNow();
                    SetState(PullState.Live, null);
                }
            }
        }
    }

    /// <summary>Publishes an audio/video message as a frame; true when the payload was handed over.</summary>
    private bool Publish(StreamPublisher publisher, FlvMediaReader media, in RtmpMessage message)
    {
        if (message.TypeId == RtmpMessageType.DataAmf0)
        {
            if (FlvScriptData.TryReadScriptData(message.Span, out var name, out var data) && data is not null && name is "onMetaData" or "@setDataFrame")
            {
                publisher.SetMetadata(FlvMediaWriter.ToPlainValues(data));
            }

            return false;
        }

        var type = message.TypeId == RtmpMessageType.Video ? FlvTagType.Video : FlvTagType.Audio;
        switch (media.Read(type, message.Payload, message.Timestamp, out var frame, out var track, out var problem))
        {
            case FlvMediaResult.Frame:
                publisher.Write(frame!);
                return true;
            case FlvMediaResult.TrackChanged:
                publisher.SetTrack(track!);
                return false;
            default:
                if (problem is not null)
                {
                    Log.MediaIgnored(_logger, Definition.Path, problem);
                }

                return false;
        }
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

            Log.StateChanged(_logger, Definition.Id, Definition.Path, _url.ToString(), state, error ?? "");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2510, LogLevel.Information, "Pull {PullId} of {Source} into {StreamPath}: {State} {Error}")]
        public static partial void StateChanged(ILogger logger, string pullId, string streamPath, string source, PullState state, string error);

        [LoggerMessage(2511, LogLevel.Debug, "Pull into {StreamPath}: media ignored: {Problem}")]
        public static partial void MediaIgnored(ILogger logger, string streamPath, string problem);
    }
}
