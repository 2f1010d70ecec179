using LiveRelay.Core.Media;

namespace LiveRelay.Core.Streams;

/// <summary>
/// A publisher's handle on its stream. Ingest adapters announce tracks and write frames
/// through it; disposing it unpublishes (and starts the reconnect grace period).
/// </summary>
/// <remarks>
/// Timestamps are restamped so the stream's timeline stays continuous and monotonic: the first
/// session keeps the publisher's clock; a session that resumes within the grace period, or a
/// publisher whose clock jumps (a reset, an encoder restart), continues one frame after the
/// last frame the readers saw.
/// </remarks>
public sealed class StreamPublisher : IDisposable
{
    /// <summary>A jump larger than this (either way) between consecutive frames is a timeline break.</summary>
    private static readonly long s_maxJump = 10L * MediaClock.Hz;

    /// <summary>Gap placed between the last frame before a break and the first after it.</summary>
    private static readonly long s_breakGap = MediaClock.FromMilliseconds(40);

    private readonly LiveStream _stream;
    private readonly long _previousSessionLastDts;
    private readonly CancellationTokenSource _evicted = new();
    private long _offset;
    private bool _started;
    private long _lastInputDts;
    private int _disposed;

    // Incoming bitrate over 5 s windows (LiveRelay:Limits:MaxPublishBitrate) and the last frame's time (idle watchdog).
    private const long BitrateWindowMs = 5000;
    private readonly long _maxBitrate;
    private long _windowStart = Environment.TickCount64;
    private long _windowBytes;

    internal StreamPublisher(LiveStream stream, int generation, long previousSessionLastDts, long maxBitrate = 0)
    {
        _stream = stream;
        Generation = generation;
        _previousSessionLastDts = previousSessionLastDts;
        _maxBitrate = maxBitrate;
        LastFrameAt = Environment.TickCount64;
    }

    /// <summary>When the last frame arrived (<see cref="Environment.TickCount64"/>), or the session started.</summary>
    internal long LastFrameAt { get; private set; }

    /// <summary>The stream being published.</summary>
    public LiveStream Stream => _stream;

    /// <summary>This session's number on the stream (1 for the first).</summary>
    public int Generation { get; }

    /// <summary>True until the publisher is disposed or replaced.</summary>
    public bool IsActive => Volatile.Read(ref _disposed) == 0 && _stream.IsPublishedBy(this);

    /// <summary>
    /// Fires when the server ends this session (its key was revoked, a takeover replaced it, the server
    /// is shutting down): the ingest adapter then closes the connection with <see cref="EvictedReason"/>.
    /// </summary>
    public CancellationToken Evicted => _evicted.Token;

    /// <summary>Why the session was ended by the server, if it was.</summary>
    public string? EvictedReason { get; private set; }

    /// <summary>Timeline breaks smoothed over (publisher clock jumps).</summary>
    public int TimelineBreaks { get; private set; }

    /// <summary>Called by the hub when the stream ends for good.</summary>
    internal Action<StreamPublisher>? Disposed { get; set; }

    /// <summary>Announces a track (or new parameters for it); later frames should carry it.</summary>
    public void SetTrack(TrackInfo track) => _stream.SetTrack(track);

    /// <summary>Replaces the stream's metadata (RTMP onMetaData).</summary>
    public void SetMetadata(IReadOnlyDictionary<string, object?> metadata) => _stream.SetMetadata(metadata);

    /// <summary>
    /// Publishes a frame. Takes over the caller's reference: do not release it afterwards.
    /// </summary>
    public void Write(MediaFrame frame)
    {
        if (Volatile.Read(ref _disposed) != 0 || EvictedReason is not null)
        {
            frame.Release();
            return;
        }

        var dts = frame.Dts;
        if (!_started)
        {
            _started = true;
            _offset = Generation == 1 || _previousSessionLastDts == long.MinValue
                ? 0
                : _previousSessionLastDts + s_breakGap - dts;
        }
        else if (dts - _lastInputDts > s_maxJump || _lastInputDts - dts > s_maxJump)
        {
            TimelineBreaks++;
            _offset = (_lastInputDts + _offset) + s_breakGap - dts;
        }

        _lastInputDts = dts;
        frame.Restamp(_offset, Generation);
        var now = Environment.TickCount64;
        LastFrameAt = now;
        if (_maxBitrate > 0 && CheckBitrate(frame.PayloadLength, now) is { } over)
        {
            frame.Release();
            _stream.Evict(this, over);
            return;
        }

        _stream.Write(frame);
    }

    private string? CheckBitrate(int bytes, long now)
    {
        _windowBytes += bytes;
        var elapsed = now - _windowStart;
        if (elapsed < BitrateWindowMs)
        {
            return null;
        }

        var bitrate = _windowBytes * 8 * 1000 / elapsed;
        _windowStart = now;
        _windowBytes = 0;
        return bitrate > _maxBitrate
            ? $"it sent {bitrate / 1_000_000.0:0.#} Mbit/s, over the limit of {_maxBitrate / 1_000_000.0:0.#} Mbit/s (LiveRelay:Limits:MaxPublishBitrateMbps)"
            : null;
    }

    /// <summary>Unpublishes.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Disposed?.Invoke(this);
        _evicted.Dispose();
    }

    /// <summary>Marks the session ended by the server (called by the stream, which detaches it) and tells its adapter.</summary>
    internal void Evict(string reason)
    {
        lock (_evicted)
        {
            if (EvictedReason is not null || Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            EvictedReason = reason;
        }

        try
        {
            _evicted.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The adapter disposed the session meanwhile.
        }
    }
}
