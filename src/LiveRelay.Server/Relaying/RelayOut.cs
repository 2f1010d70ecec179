using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Media;
using LiveRelay.Protocols.Rtmp.Client;

namespace LiveRelay.Server.Relaying;

/// <summary>A relay-out target as configured or posted: push the live stream <see cref="Source"/> to <see cref="Url"/>.</summary>
public sealed record RelayDefinition(string Id, string Source, string Url);

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
    RelayState State,
    string? LastError,
    DateTimeOffset? LiveSince,
    long BytesSent,
    long FramesSent,
    int Attempts);

/// <summary>
/// Pushes one live stream to one RTMP server: waits for the source, connects and publishes, sends
/// sequence headers whenever codec parameters change and every frame after the GOP cache's
/// keyframe, follows the source through publisher reconnects (the reader stays on the same live
/// stream), and retries with exponential back-off and jitter when the target refuses or drops.
/// </summary>
public sealed partial class RelayOut : IAsyncDisposable
{
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(10);

    private readonly RtmpUrl _url;
    private readonly StreamHub _hub;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private volatile RelayState _state = RelayState.WaitingForSource;
    private volatile string? _lastError;
    private long _bytesSent;
    private long _framesSent;
    private int _attempts;
    private DateTimeOffset? _liveSince;

    public RelayOut(RelayDefinition definition, RtmpUrl url, StreamHub hub, TimeProvider time, ILogger logger)
    {
        Definition = definition;
        _url = url;
        _hub = hub;
        _time = time;
        _logger = logger;
        _run = Task.Run(RunAsync);
    }

    public RelayDefinition Definition { get; }

    public RelayStatus Status => new(
        Definition.Id,
        Definition.Source,
        _url.ToString(),
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
                    await Task.Delay(TimeSpan.FromMilliseconds(500), _time, _stop.Token).ConfigureAwait(false);
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
            catch (Exception ex) when (ex is RtmpClientException or IOException or System.Net.Sockets.SocketException or OperationCanceledException or Formats.Amf.AmfFormatException or Protocols.Rtmp.Chunks.RtmpProtocolException)
            {
                SetState(RelayState.Retrying, ex is OperationCanceledException ? "the target did not answer in time" : ex.Message);
            }

            failures++;
            var backoff = TimeSpan.FromSeconds(Math.Min(s_maxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures, 6) - 1)));
            var jittered = backoff * (0.75 + (Random.Shared.NextDouble() * 0.5));
            try
            {
                await Task.Delay(jittered, _time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One connection: publish and send until the source ends or the target goes; true when frames went out.</summary>
    private async Task<bool> PushAsync(LiveStream stream)
    {
        Interlocked.Increment(ref _attempts);
        SetState(RelayState.Connecting, _lastError);
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        connect.CancelAfter(s_connectTimeout);
        await using var client = await RtmpClient.ConnectAsync(_url, connect.Token).ConfigureAwait(false);
        await client.PublishAsync(connect.Token).ConfigureAwait(false);

        using var session = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        using var reader = stream.Subscribe("relay", _url.ToString());
        using var registration = session.Token.Register(static r => ((MediaReader)r!).Dispose(), reader);
        var drain = client.DrainAsync(session.Token);
        _ = drain.ContinueWith(static (_, s) => ((CancellationTokenSource)s!).Cancel(), session, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        client.WriteMetadata(FlvMediaWriter.BuildMetadata(stream.VideoTrack, stream.AudioTrack, stream.Metadata));
        TrackInfo? sentVideo = null, sentAudio = null;
        var sentAny = false;
        var lastBytes = client.BytesSent;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    try
                    {
                        ref var sent = ref frame.Kind == MediaKind.Video ? ref sentVideo : ref sentAudio;
                        if (!ReferenceEquals(sent, frame.Track))
                        {
                            if (!frame.Track.HasSameConfig(sent))
                            {
                                client.WriteSequenceHeader(frame);
                            }

                            sent = frame.Track;
                        }

                        client.WriteFrame(frame);
                        Interlocked.Increment(ref _framesSent);
                    }
                    finally
                    {
                        frame.Release();
                    }
                }

                if (!await client.FlushAsync(session.Token).ConfigureAwait(false))
                {
                    break;
                }

                Interlocked.Add(ref _bytesSent, client.BytesSent - lastBytes);
                lastBytes = client.BytesSent;
                if (!sentAny)
                {
                    sentAny = true;
                    _liveSince = _time.GetUtcNow();
                    SetState(RelayState.Live, null);
                }
            }
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            // The target went away (the drain ended the session).
        }
        finally
        {
            _liveSince = null;
            await session.CancelAsync().ConfigureAwait(false);
            try
            {
                await drain.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.Sockets.SocketException or RtmpClientException or Protocols.Rtmp.Chunks.RtmpProtocolException)
            {
                // Ended with the session.
            }
        }

        return sentAny;
    }

    private void SetState(RelayState state, string? error)
    {
        if (_state != state || _lastError != error)
        {
            _state = state;
            _lastError = error;
            Log.StateChanged(_logger, Definition.Id, Definition.Source, _url.ToString(), state, error ?? "");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2500, LogLevel.Information, "Relay {RelayId} of {StreamPath} to {Target}: {State} {Error}")]
        public static partial void StateChanged(ILogger logger, string relayId, string streamPath, string target, RelayState state, string error);
    }
}
