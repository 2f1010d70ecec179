using System.Collections.Concurrent;
using LiveRelay.Core.Diagnostics;

namespace LiveRelay.Core.Streams;

/// <summary>
/// The only place that knows which paths exist. Publish, subscribe and unpublish go through it;
/// it enforces one publisher per path and the reconnect grace period (MediaMTX's path manager).
/// </summary>
public sealed partial class StreamHub : IDisposable
{
    private readonly object _lock = new();
    private readonly ConcurrentDictionary<string, LiveStream> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<LiveStream, ITimer> _graceTimers = [];
    private readonly StreamOptions _options;
    private readonly TimeProvider _time;
    private readonly LiveRelayMetrics? _metrics;

    private readonly ITimer? _watchdog;
    private volatile bool _shuttingDown;

    public StreamHub(StreamOptions options, TimeProvider time, LiveRelayMetrics? metrics = null)
    {
        _options = options;
        _time = time;
        _metrics = metrics;
        if (options.PublisherIdleTimeout > TimeSpan.Zero)
        {
            var period = TimeSpan.FromSeconds(Math.Clamp(options.PublisherIdleTimeout.TotalSeconds / 4, 0.25, 5));
            _watchdog = time.CreateTimer(_ => CloseIdlePublishers(), null, period, period);
        }
    }

    /// <summary>Closes publishers that have sent no frame for <see cref="StreamOptions.PublisherIdleTimeout"/>.</summary>
    private void CloseIdlePublishers()
    {
        var idleMs = (long)_options.PublisherIdleTimeout.TotalMilliseconds;
        var now = Environment.TickCount64;
        foreach (var stream in _streams.Values)
        {
            if (stream.IdlePublisher(idleMs, now) is { } idle)
            {
                stream.Evict(idle, $"no media for {_options.PublisherIdleTimeout.TotalSeconds:0.#} s (LiveRelay:Limits:PublisherIdleSeconds)");
            }
        }
    }

    /// <summary>The options in force.</summary>
    public StreamOptions Options => _options;

    /// <summary>Raised when a new stream starts (not when a publisher resumes one).</summary>
    public event Action<LiveStream>? StreamStarted;

    /// <summary>Raised when a publisher starts or resumes a stream.</summary>
    public event Action<LiveStream, StreamPublisher>? PublisherAttached;

    /// <summary>Raised when a publisher leaves (the stream waits out the grace period).</summary>
    public event Action<LiveStream>? PublisherDetached;

    /// <summary>Raised when a stream ends for good.</summary>
    public event Action<LiveStream>? StreamEnded;

    /// <summary>The live (or waiting) streams.</summary>
    public ICollection<LiveStream> Streams => _streams.Values;

    /// <summary>Finds a live or waiting stream.</summary>
    public LiveStream? Find(string path) => _streams.TryGetValue(path, out var stream) ? stream : null;

    /// <summary>
    /// Starts publishing on <paramref name="path"/>, or resumes a stream whose publisher left within
    /// the grace period. Refuses a path that already has a live publisher, unless
    /// <paramref name="takeover"/> is set: then the live publisher is ended (its adapter closes it) and
    /// the new one continues the same stream at once (<see cref="PublishStatus.TookOver"/>).
    /// </summary>
    public PublishStatus TryPublish(string path, PublisherInfo info, out StreamPublisher? publisher, bool takeover = false)
    {
        publisher = null;
        if (!StreamPath.TryNormalize(path, out var normalized, out _) || normalized != path)
        {
            return PublishStatus.InvalidPath;
        }

        if (!info.IsInternal && _options.ReservedApps.Contains(path[..path.IndexOf('/', StringComparison.Ordinal)], StringComparer.Ordinal))
        {
            return PublishStatus.Reserved;
        }

        if (_shuttingDown && !info.IsInternal)
        {
            return PublishStatus.ShuttingDown;
        }

        LiveStream stream;
        PublishStatus status;
        lock (_lock)
        {
            if (_options.MaxPublishers > 0 && !_streams.ContainsKey(path) && _streams.Values.Count(s => s.IsPublishedBy(null)) >= _options.MaxPublishers)
            {
                return PublishStatus.TooManyPublishers;
            }

            if (_streams.TryGetValue(path, out var existing))
            {
                status = PublishStatus.Resumed;
                if (existing.IsPublishedBy(null))
                {
                    if (!takeover)
                    {
                        return PublishStatus.AlreadyPublishing;
                    }

                    existing.Replace($"taken over by a new publisher from {info.RemoteAddress ?? info.Protocol}");
                    status = PublishStatus.TookOver;
                }

                if (_graceTimers.Remove(existing, out var timer))
                {
                    timer.Dispose();
                }

                stream = existing;
            }
            else
            {
                stream = new LiveStream(path, _options, _time, _metrics);
                _streams[path] = stream;
                status = PublishStatus.Started;
            }

            publisher = stream.Attach(info);
            publisher.Disposed = OnPublisherDisposed;
        }

        if (status == PublishStatus.Started)
        {
            StreamStarted?.Invoke(stream);
        }

        PublisherAttached?.Invoke(stream, publisher);
        return status;
    }

    /// <summary>
    /// The first step of a graceful shutdown: no new publisher is let in, and every publisher from
    /// outside is closed by its adapter with <paramref name="reason"/> (a clean close, not a reset).
    /// Then <see cref="EndAll"/> ends the streams (HLS playlists get EXT-X-ENDLIST).
    /// </summary>
    /// <returns>How many publishers were closed.</returns>
    public int BeginShutdown(string reason)
    {
        _shuttingDown = true;
        var closed = 0;
        foreach (var stream in _streams.Values)
        {
            if (stream.Publisher is { IsInternal: false } && stream.EvictPublisher(reason))
            {
                closed++;
            }
        }

        return closed;
    }

    /// <summary>Ends every stream now (server shutdown).</summary>
    public void EndAll()
    {
        List<LiveStream> streams;
        lock (_lock)
        {
            streams = [.. _streams.Values];
            foreach (var timer in _graceTimers.Values)
            {
                timer.Dispose();
            }

            _graceTimers.Clear();
            _streams.Clear();
        }

        foreach (var stream in streams)
        {
            stream.End();
            StreamEnded?.Invoke(stream);
        }
    }

    public void Dispose()
    {
        _watchdog?.Dispose();
        EndAll();
    }

    private void OnPublisherDisposed(StreamPublisher publisher)
    {
        var stream = publisher.Stream;
        var endNow = false;
        lock (_lock)
        {
            if (!stream.Detach(publisher))
            {
                return;
            }

            if (_options.ReconnectGrace <= TimeSpan.Zero)
            {
                _streams.TryRemove(new KeyValuePair<string, LiveStream>(stream.Path, stream));
                endNow = true;
            }
            else
            {
                _graceTimers[stream] = _time.CreateTimer(
                    state => OnGraceExpired((LiveStream)state!),
                    stream,
                    _options.ReconnectGrace,
                    Timeout.InfiniteTimeSpan);
            }
        }

        PublisherDetached?.Invoke(stream);
        if (endNow)
        {
            stream.End();
            StreamEnded?.Invoke(stream);
        }
    }

    private void OnGraceExpired(LiveStream stream)
    {
        lock (_lock)
        {
            if (!_graceTimers.Remove(stream, out var timer))
            {
                return;
            }

            timer.Dispose();
            if (stream.IsPublishedBy(null))
            {
                return;
            }

            _streams.TryRemove(new KeyValuePair<string, LiveStream>(stream.Path, stream));
        }

        stream.End();
        StreamEnded?.Invoke(stream);
    }
}
