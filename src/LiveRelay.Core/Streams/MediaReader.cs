using System.Threading.Tasks.Sources;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Media;

namespace LiveRelay.Core.Streams;

/// <summary>
/// One reader of a live stream: a bounded, GOP-aware queue of shared frames. The publisher
/// only enqueues and never waits. A reader past its bounds drops what it has queued and skips
/// forward to the next keyframe (drops are counted); one that needs too many skips in a window
/// is cut off with <see cref="ReaderCloseReason.TooSlow"/> (SRS's SrsMessageQueue::shrink,
/// MediaMTX's stream reader).
/// </summary>
/// <remarks>
/// Single consumer: one loop calls <see cref="WaitToReadAsync"/> and drains with
/// <see cref="TryRead"/>, writing everything it got in one batch. Continuations run
/// asynchronously so a waking reader never writes on the publisher's thread.
/// </remarks>
public sealed class MediaReader : IValueTaskSource<bool>, IDisposable
{
    private readonly object _lock = new();
    private readonly ReaderOptions _options;
    private readonly TimeProvider _time;
    private readonly LiveRelayMetrics? _metrics;
    private readonly long _maxQueuedTicks;
    private readonly long _minBatchTicks;
    private readonly long[] _skipTimes;
    private ManualResetValueTaskSourceCore<bool> _waiter = new() { RunContinuationsAsynchronously = true };
    private bool _waiting;
    private MediaFrame[] _ring = new MediaFrame[16];
    private int _head;
    private int _count;
    private long _queuedBytes;
    private bool _skipping;
    private int _skipCursor;
    private long _dropped;
    private long _delivered;
    private ReaderCloseReason _closeReason;

    internal MediaReader(LiveStream stream, ReaderOptions options, string protocol, string? remoteAddress, TimeProvider time, LiveRelayMetrics? metrics)
    {
        Stream = stream;
        _metrics = metrics;
        _options = options;
        _time = time;
        _maxQueuedTicks = (long)(options.MaxQueuedDuration.TotalSeconds * MediaClock.Hz);
        // Each reader's batch is 0.5–1.5× the configured duration, so the readers of a stream do not
        // all wake on the same frame and copy their batches into their sockets at the same moment.
        _minBatchTicks = (long)(options.MinBatchDuration.TotalSeconds * MediaClock.Hz * (0.5 + Random.Shared.NextDouble()));
        _skipTimes = new long[Math.Max(options.MaxSkips, 1)];
        Array.Fill(_skipTimes, long.MinValue);
        Protocol = protocol;
        RemoteAddress = remoteAddress;
        StartedAt = time.GetUtcNow();
    }

    /// <summary>The stream being read.</summary>
    public LiveStream Stream { get; }

    /// <summary>Egress protocol, lower case (<c>rtmp</c>, <c>flv</c>, <c>hls</c>).</summary>
    public string Protocol { get; }

    /// <summary>The player's address, when known.</summary>
    public string? RemoteAddress { get; }

    /// <summary>When the reader subscribed.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Frames dropped because the reader fell behind.</summary>
    public long DroppedFrames => Interlocked.Read(ref _dropped);

    /// <summary>Frames handed to the reader's consumer.</summary>
    public long DeliveredFrames => Interlocked.Read(ref _delivered);

    /// <summary>Frames queued now.</summary>
    public int QueuedFrames
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Why the queue was completed, or <see cref="ReaderCloseReason.None"/> while open.</summary>
    public ReaderCloseReason CloseReason
    {
        get
        {
            lock (_lock)
            {
                return _closeReason;
            }
        }
    }

    /// <summary>
    /// Completes with true when frames are ready, false when the queue is completed and drained.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync()
    {
        lock (_lock)
        {
            if (_count > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_closeReason != ReaderCloseReason.None)
            {
                return new ValueTask<bool>(false);
            }

            if (_waiting)
            {
                throw new InvalidOperationException("A MediaReader has a single consumer.");
            }

            _waiter.Reset();
            _waiting = true;
            return new ValueTask<bool>(this, _waiter.Version);
        }
    }

    /// <summary>Takes the next frame. The caller owns one reference and must release it.</summary>
    public bool TryRead(out MediaFrame frame)
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                frame = null!;
                return false;
            }

            frame = _ring[_head];
            _ring[_head] = null!;
            _head = (_head + 1) % _ring.Length;
            _count--;
            _queuedBytes -= frame.PayloadLength;
            _delivered++;
            return true;
        }
    }

    /// <summary>Unsubscribes and releases whatever is still queued.</summary>
    public void Dispose()
    {
        Stream.Unsubscribe(this);
        Complete(ReaderCloseReason.Closed);
    }

    /// <summary>Offers a frame; keeps a reference if the frame is queued. Called by the stream only.</summary>
    internal void Enqueue(MediaFrame frame)
    {
        var dropped = 0;
        var cutOff = false;
        lock (_lock)
        {
            if (_closeReason != ReaderCloseReason.None)
            {
                return;
            }

            if (_skipping)
            {
                if (!frame.IsKeyframe)
                {
                    _dropped++;
                    dropped = 1;
                    goto Signal;
                }

                _skipping = false;
            }

            if (IsOverBounds(frame))
            {
                // Jump to the newest queued keyframe if what follows it fits; else drop everything.
                dropped = DropBeforeLastKeyframe();
                if (dropped == 0 || IsOverBounds(frame))
                {
                    dropped += DropQueued();
                }

                if (RecordSkip())
                {
                    cutOff = true;
                    goto Signal;
                }

                if (_count == 0 && !frame.IsKeyframe)
                {
                    _skipping = true;
                    _dropped++;
                    dropped++;
                    goto Signal;
                }
            }

            Push(frame);

        Signal:
            if (cutOff)
            {
                _closeReason = ReaderCloseReason.TooSlow;
            }

            if (_waiting && ((_count > 0 && BatchReady()) || cutOff))
            {
                _waiting = false;
                _waiter.SetResult(_count > 0);
            }
        }

        if (dropped > 0)
        {
            _metrics?.FramesDropped(Protocol, dropped);
        }

        if (cutOff)
        {
            _metrics?.ReaderCutOff(Protocol);
        }
    }

    /// <summary>Completes the queue; queued frames are released unless the stream simply ended.</summary>
    internal void Complete(ReaderCloseReason reason)
    {
        lock (_lock)
        {
            if (_closeReason != ReaderCloseReason.None)
            {
                return;
            }

            _closeReason = reason;
            if (reason != ReaderCloseReason.StreamEnded)
            {
                DropQueued();
            }

            if (_waiting)
            {
                _waiting = false;
                _waiter.SetResult(_count > 0);
            }
        }
    }

    /// <summary>Enough is queued to wake the consumer (always for the first batch, a keyframe, or without merged writes).</summary>
    private bool BatchReady()
    {
        if (_minBatchTicks == 0 || _delivered == 0 || _count >= _options.MaxBatchFrames)
        {
            return true;
        }

        // A keyframe goes out at once: it closes HLS segments and starts a new GOP for players.
        var oldest = _ring[_head];
        var newest = _ring[(_head + _count - 1) % _ring.Length];
        return newest.IsKeyframe || newest.Dts - oldest.Dts >= _minBatchTicks;
    }

    private bool IsOverBounds(MediaFrame incoming)
    {
        if (_count == 0)
        {
            return false;
        }

        if (_count >= _options.MaxQueuedFrames || _queuedBytes + incoming.PayloadLength > _options.MaxQueuedBytes)
        {
            return true;
        }

        var oldest = _ring[_head];
        return incoming.Dts - oldest.Dts > _maxQueuedTicks;
    }

    private void Push(MediaFrame frame)
    {
        if (_count == _ring.Length)
        {
            var bigger = new MediaFrame[_ring.Length * 2];
            for (var i = 0; i < _count; i++)
            {
                bigger[i] = _ring[(_head + i) % _ring.Length];
            }

            _ring = bigger;
            _head = 0;
        }

        frame.AddRef();
        _ring[(_head + _count) % _ring.Length] = frame;
        _count++;
        _queuedBytes += frame.PayloadLength;
    }

    /// <summary>Drops the frames before the newest queued keyframe; returns how many (0 if there is none past the head).</summary>
    private int DropBeforeLastKeyframe()
    {
        var keep = -1;
        for (var i = _count - 1; i > 0; i--)
        {
            if (_ring[(_head + i) % _ring.Length].IsKeyframe)
            {
                keep = i;
                break;
            }
        }

        if (keep < 0)
        {
            return 0;
        }

        for (var i = 0; i < keep; i++)
        {
            var frame = _ring[_head];
            _queuedBytes -= frame.PayloadLength;
            frame.Release();
            _ring[_head] = null!;
            _head = (_head + 1) % _ring.Length;
            _count--;
        }

        _dropped += keep;
        return keep;
    }

    private int DropQueued()
    {
        var dropped = _count;
        while (_count > 0)
        {
            _ring[_head].Release();
            _ring[_head] = null!;
            _head = (_head + 1) % _ring.Length;
            _count--;
        }

        _head = 0;
        _queuedBytes = 0;
        _dropped += dropped;
        return dropped;
    }

    /// <summary>Notes a skip; true when the reader has now skipped too often and must be cut off.</summary>
    private bool RecordSkip()
    {
        var now = _time.GetTimestamp();
        var oldest = _skipTimes[_skipCursor];
        _skipTimes[_skipCursor] = now;
        _skipCursor = (_skipCursor + 1) % _skipTimes.Length;
        return oldest != long.MinValue && _time.GetElapsedTime(oldest, now) < _options.SkipWindow;
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);
}
