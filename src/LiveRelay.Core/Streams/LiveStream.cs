using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Media;

namespace LiveRelay.Core.Streams;

/// <summary>
/// One live path: its tracks, its GOP cache (from the latest keyframe, so a new reader starts
/// at once) and its readers. Frames arrive from the one <see cref="StreamPublisher"/> and are
/// offered to every reader's bounded queue; the publisher never waits for a reader.
/// </summary>
public sealed partial class LiveStream
{
    private readonly object _lock = new();
    private readonly StreamOptions _options;
    private readonly TimeProvider _time;
    private readonly LiveRelayMetrics? _metrics;
    private readonly List<MediaFrame> _gop = [];
    private long _gopBytes;
    private bool _gopOverflow;
    private MediaReader[] _readers = [];
    private StreamViewer[] _viewers = [];
    private StreamPublisher? _publisher;
    private long _lastDts = long.MinValue;
    private long _lastKeyframeDts = long.MinValue;
    private long _lastKeyframeAt;

    internal LiveStream(string path, StreamOptions options, TimeProvider time, LiveRelayMetrics? metrics)
    {
        Path = path;
        _metrics = metrics;
        _options = options;
        _time = time;
        CreatedAt = time.GetUtcNow();
        VideoRate = new RateMeter(time);
        AudioRate = new RateMeter(time);
    }

    /// <summary>The stream path, <c>app/stream</c>.</summary>
    public string Path { get; }

    /// <summary>When the stream was first published.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>Where the stream is in its life cycle.</summary>
    public StreamState State { get; private set; } = StreamState.Live;

    /// <summary>The current (or last) publisher.</summary>
    public PublisherInfo? Publisher { get; private set; }

    /// <summary>When the current publisher started.</summary>
    public DateTimeOffset PublishedAt { get; private set; }

    /// <summary>Publisher sessions so far; 1 for the first, +1 for each resume.</summary>
    public int Generation { get; private set; }

    /// <summary>The video track in force, if any.</summary>
    public TrackInfo? VideoTrack { get; private set; }

    /// <summary>The audio track in force, if any.</summary>
    public TrackInfo? AudioTrack { get; private set; }

    /// <summary>Stream metadata the publisher sent (RTMP onMetaData), as plain values.</summary>
    public IReadOnlyDictionary<string, object?> Metadata { get; private set; } = new Dictionary<string, object?>();

    /// <summary>Video frames and bytes per second.</summary>
    public RateMeter VideoRate { get; }

    /// <summary>Audio frames and bytes per second.</summary>
    public RateMeter AudioRate { get; }

    /// <summary>Media time between the last two keyframes, 90 kHz; 0 until two were seen.</summary>
    public long KeyframeInterval { get; private set; }

    /// <summary>Total frames received.</summary>
    public long FramesIn { get; private set; }

    /// <summary>Total payload bytes received.</summary>
    public long BytesIn { get; private set; }

    /// <summary>The readers now attached.</summary>
    public IReadOnlyList<MediaReader> Readers => Volatile.Read(ref _readers);

    /// <summary>Players served from a shared serialization (see <see cref="StreamViewer"/>).</summary>
    public IReadOnlyList<StreamViewer> Viewers => Volatile.Read(ref _viewers);

    /// <summary>How many players the stream has now (readers with an address, and viewers).</summary>
    public int PlayerCount
    {
        get
        {
            var count = Viewers.Count;
            foreach (var reader in Readers)
            {
                if (reader.RemoteAddress is not null)
                {
                    count++;
                }
            }

            return count;
        }
    }

    /// <summary>
    /// Null while another player may join; else why not (<see cref="StreamOptions.MaxPlayersPerStream"/>).
    /// Egress adapters ask before they subscribe a player.
    /// </summary>
    public string? PlayerLimitReached() =>
        _options.MaxPlayersPerStream > 0 && PlayerCount >= _options.MaxPlayersPerStream
            ? $"{Path} has {_options.MaxPlayersPerStream} players, the most one stream may have (LiveRelay:Limits:MaxPlayersPerStream)"
            : null;

    /// <summary>Players of the stream now: each reader with a remote address and each viewer, by protocol.</summary>
    public IEnumerable<(string Protocol, string RemoteAddress)> Audience
    {
        get
        {
            foreach (var reader in Readers)
            {
                if (reader.RemoteAddress is not null)
                {
                    yield return (reader.Protocol, reader.RemoteAddress);
                }
            }

            foreach (var viewer in Viewers)
            {
                yield return (viewer.Protocol, viewer.RemoteAddress);
            }
        }
    }

    /// <summary>Frames held in the GOP cache now.</summary>
    public int GopFrames
    {
        get
        {
            lock (_lock)
            {
                return _gop.Count;
            }
        }
    }

    /// <summary>How long ago the last keyframe arrived (wall clock), or null before the first.</summary>
    public TimeSpan? SinceLastKeyframe => Volatile.Read(ref _lastKeyframeAt) is var at and not 0 ? _time.GetElapsedTime(at) : null;

    /// <summary>Raised after each new keyframe (on the publisher's thread).</summary>
    public event Action<LiveStream>? KeyframeReceived;

    /// <summary>
    /// Raised when a consumer wants a keyframe now (a switcher about to cut, a new WebRTC viewer);
    /// publishers that can ask their encoder (WebRTC: PLI) listen. Others wait for the next one.
    /// </summary>
    public event Action<LiveStream>? KeyframeRequested;

    /// <summary>Asks the publisher for a keyframe, when it can be asked (see <see cref="KeyframeRequested"/>).</summary>
    public void RequestKeyframe() => KeyframeRequested?.Invoke(this);

    /// <summary>
    /// Attaches a reader. It first receives the GOP cache (starting at the latest keyframe),
    /// then every new frame.
    /// </summary>
    /// <param name="protocol">The reader's protocol, for the API and metrics.</param>
    /// <param name="remoteAddress">The player's address; null for internal readers (not counted as players).</param>
    /// <param name="options">Queue bounds; the stream's defaults when null.</param>
    /// <param name="skipCache">Start with the next frame published rather than the GOP cache (a switcher cutting on the next keyframe).</param>
    public MediaReader Subscribe(string protocol, string? remoteAddress, ReaderOptions? options = null, bool skipCache = false)
    {
        var reader = new MediaReader(this, options ?? _options.Readers, protocol, remoteAddress, _time, _metrics);
        lock (_lock)
        {
            if (State == StreamState.Ended)
            {
                reader.Complete(ReaderCloseReason.StreamEnded);
                return reader;
            }

            if (!skipCache)
            {
                foreach (var frame in _gop)
                {
                    reader.Enqueue(frame);
                }
            }

            _readers = [.. _readers, reader];
        }

        return reader;
    }

    /// <summary>Counts a player served from a shared serialization until <see cref="RemoveViewer"/>.</summary>
    public void AddViewer(StreamViewer viewer)
    {
        lock (_lock)
        {
            _viewers = [.. _viewers, viewer];
        }
    }

    /// <summary>Stops counting a viewer added with <see cref="AddViewer"/>.</summary>
    public void RemoveViewer(StreamViewer viewer)
    {
        lock (_lock)
        {
            var index = Array.IndexOf(_viewers, viewer);
            if (index >= 0)
            {
                _viewers = [.. _viewers.AsSpan(0, index), .. _viewers.AsSpan(index + 1)];
            }
        }
    }

    internal void Unsubscribe(MediaReader reader)
    {
        lock (_lock)
        {
            var index = Array.IndexOf(_readers, reader);
            if (index < 0)
            {
                return;
            }

            var readers = new MediaReader[_readers.Length - 1];
            _readers.AsSpan(0, index).CopyTo(readers);
            _readers.AsSpan(index + 1).CopyTo(readers.AsSpan(index));
            _readers = readers;
        }
    }

    internal StreamPublisher Attach(PublisherInfo info)
    {
        lock (_lock)
        {
            Generation++;
            State = StreamState.Live;
            Publisher = info;
            PublishedAt = _time.GetUtcNow();
            _publisher = new StreamPublisher(this, Generation, _lastDts, info.IsInternal ? 0 : _options.MaxPublishBitrate);
            ClearGop();
            return _publisher;
        }
    }

    /// <summary>The publisher left; true when it was the current one (the stream now waits).</summary>
    internal bool Detach(StreamPublisher publisher)
    {
        lock (_lock)
        {
            if (_publisher != publisher)
            {
                return false;
            }

            _publisher = null;
            State = StreamState.Waiting;
            ClearGop();
            return true;
        }
    }

    /// <summary>
    /// Ends the current publisher's session from the server's side (a revoked key): it is detached at once,
    /// the stream waits out the reconnect grace like after any disconnect, and the adapter closes the connection.
    /// </summary>
    /// <returns>True when a publisher was live.</returns>
    public bool EvictPublisher(string reason) => Evict(null, reason);

    /// <summary>Ends <paramref name="only"/>'s session (or the current one when null), if it is still the live one.</summary>
    internal bool Evict(StreamPublisher? only, string reason)
    {
        StreamPublisher? publisher;
        lock (_lock)
        {
            publisher = _publisher;
        }

        if (publisher is null || (only is not null && publisher != only))
        {
            return false;
        }

        publisher.Evict(reason);
        publisher.Disposed?.Invoke(publisher);
        return true;
    }

    /// <summary>The live publisher, when it has sent nothing for longer than <paramref name="idleMs"/> (server-made sources excepted).</summary>
    internal StreamPublisher? IdlePublisher(long idleMs, long now)
    {
        lock (_lock)
        {
            return _publisher is { } publisher && Publisher is { IsInternal: false } && now - publisher.LastFrameAt > idleMs ? publisher : null;
        }
    }

    /// <summary>Takes the live publisher off without the grace period (a takeover attaches the next one at once).</summary>
    internal StreamPublisher? Replace(string reason)
    {
        StreamPublisher? previous;
        lock (_lock)
        {
            previous = _publisher;
            _publisher = null;
        }

        previous?.Evict(reason);
        return previous;
    }

    internal bool IsPublishedBy(StreamPublisher? publisher)
    {
        lock (_lock)
        {
            return publisher is null ? _publisher is not null : _publisher == publisher;
        }
    }

    internal void End()
    {
        MediaReader[] readers;
        lock (_lock)
        {
            State = StreamState.Ended;
            ClearGop();
            readers = _readers;
            _readers = [];
        }

        foreach (var reader in readers)
        {
            reader.Complete(ReaderCloseReason.StreamEnded);
        }
    }

    internal void SetTrack(TrackInfo track)
    {
        if (track.Kind == MediaKind.Video)
        {
            VideoTrack = track;
        }
        else
        {
            AudioTrack = track;
        }
    }

    internal void SetMetadata(IReadOnlyDictionary<string, object?> metadata) => Metadata = metadata;

    /// <summary>Offers a restamped frame to the GOP cache and every reader. Takes over one reference.</summary>
    internal void Write(MediaFrame frame)
    {
        FramesIn++;
        BytesIn += frame.PayloadLength;
        (frame.Kind == MediaKind.Video ? VideoRate : AudioRate).Add(frame.PayloadLength);
        var keyframe = frame.IsKeyframe;
        lock (_lock)
        {
            _lastDts = Math.Max(_lastDts, frame.Dts);
            CacheInGop(frame);
            foreach (var reader in _readers)
            {
                reader.Enqueue(frame);
            }
        }

        frame.Release();
        if (keyframe)
        {
            Volatile.Write(ref _lastKeyframeAt, _time.GetTimestamp());
            KeyframeReceived?.Invoke(this);
        }
    }

    private void CacheInGop(MediaFrame frame)
    {
        if (frame.IsKeyframe)
        {
            if (_lastKeyframeDts != long.MinValue && frame.Dts > _lastKeyframeDts)
            {
                KeyframeInterval = frame.Dts - _lastKeyframeDts;
            }

            _lastKeyframeDts = frame.Dts;
            ClearGop();
        }
        else if (_gop.Count == 0 || _gopOverflow)
        {
            // Nothing to start from until the next keyframe.
            return;
        }

        if (_gop.Count >= _options.MaxGopFrames || _gopBytes + frame.PayloadLength > _options.MaxGopBytes)
        {
            ClearGop();
            _gopOverflow = true;
            return;
        }

        frame.AddRef();
        _gop.Add(frame);
        _gopBytes += frame.PayloadLength;
    }

    private void ClearGop()
    {
        foreach (var cached in _gop)
        {
            cached.Release();
        }

        _gop.Clear();
        _gopBytes = 0;
        _gopOverflow = false;
    }
}
