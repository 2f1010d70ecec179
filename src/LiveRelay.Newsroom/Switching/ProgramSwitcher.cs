using System.Collections.Concurrent;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Newsroom.Model;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Newsroom.Switching;

/// <summary>
/// One rundown's program output: publishes <c>program/{rundownId}</c> and fills it with the frames of
/// whichever source is on air, without re-encoding. A take subscribes to the target from its next
/// frame and cuts on its first keyframe; each source's frames are re-timed (payloads shared, not
/// copied) so the program's timeline runs on, continuous and monotonic, one frame after the last.
/// New codec parameters reach players as the frames' new tracks (egress sends sequence headers and
/// HLS marks a discontinuity only when the configuration bytes differ). When the on-air source is
/// lost the program cuts to the fallback (a backup feed or the slate) and back when it returns.
/// </summary>
/// <remarks>
/// One loop drives everything (<see cref="Pump"/> every 10 ms): commands, the pending take, the
/// source, the slate's pacing and the health check, all on one thread, so no state is shared.
/// </remarks>
public sealed partial class ProgramSwitcher : IAsyncDisposable
{
    private const string SlateName = "slate";
    private static readonly long s_cutGap = MediaClock.FromMilliseconds(40);
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(10);

    private readonly StreamHub _hub;
    private readonly SlateLibrary _slates;
    private readonly ProgramOptions _options;
    private readonly TimeProvider _time;
    private readonly LiveRelayMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<Action> _commands = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly StreamPublisher _publisher;
    private Task _loop = Task.CompletedTask;

    private Source? _current;
    private Source? _pending;
    private string? _onAirSource;
    private string? _onAirItem;
    private ProgramMode _mode = ProgramMode.Idle;
    private FallbackMode _fallback = FallbackMode.Slate;
    private string? _fallbackSource;
    private bool _returnWhenBack = true;
    private long _lastVideoDts = long.MinValue;
    private long _lastAudioDts = long.MinValue;
    private TrackInfo? _lastVideoTrack;
    private int _takes;
    private int _fallbacks;
    private double? _lastTakeLatencyMs;
    private volatile ProgramStatus _status;

    public ProgramSwitcher(string path, StreamHub hub, SlateLibrary slates, ProgramOptions options, TimeProvider time, LiveRelayMetrics? metrics, ILogger logger)
    {
        Path = path;
        _hub = hub;
        _slates = slates;
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        var status = hub.TryPublish(path, new PublisherInfo("program", null, path, IsInternal: true), out var publisher);
        _publisher = publisher ?? throw new InvalidOperationException($"The program path {path} is taken ({status}).");
        _status = Snapshot();
    }

    /// <summary>The program's stream path.</summary>
    public string Path { get; }

    /// <summary>What is on air now.</summary>
    public ProgramStatus Status => _status;

    /// <summary>Raised (on the switcher's loop) when a take completes or fails.</summary>
    public event Action<ProgramSwitcher, TakeResult>? TakeCompleted;

    /// <summary>Raised (on the switcher's loop) when the mode changes (fallback, return).</summary>
    public event Action<ProgramSwitcher, ProgramStatus>? StatusChanged;

    /// <summary>Starts the loop.</summary>
    public void Start()
    {
        // Not the caller's logging scope (an HTTP request's) for the program's whole life.
        using (ExecutionContext.SuppressFlow())
        {
            _loop = Task.Run(RunAsync);
        }
    }

    /// <summary>How the program covers a lost source.</summary>
    public void Configure(FallbackMode fallback, string? fallbackSource, bool returnWhenBack) => _commands.Enqueue(() =>
    {
        _fallback = fallback;
        _fallbackSource = fallbackSource;
        _returnWhenBack = returnWhenBack;
    });

    /// <summary>
    /// Asks for a cut to <paramref name="source"/> on its next keyframe. Null when the take was accepted;
    /// otherwise why not (the source is not live, or is the program itself).
    /// </summary>
    public string? Take(string source, string? itemId)
    {
        if (source == Path || source.StartsWith("program/", StringComparison.Ordinal) && _hub.Find(source) is { Publisher.Protocol: "program" })
        {
            return "a program output cannot be taken into a program";
        }

        if (_hub.Find(source) is not { State: StreamState.Live })
        {
            return $"{source} is not live";
        }

        var requested = _time.GetUtcNow();
        _commands.Enqueue(() => BeginTake(source, itemId, requested, SourceRole.OnAir, byDirector: true));
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _pending?.Dispose();
        _current?.Dispose();
        _publisher.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(s_tick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    Pump(_time.GetUtcNow());
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The program must keep running whatever one frame or source did.
                    Log.PumpFailed(_logger, Path, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One step: commands, pending take, on-air source, slate pacing, health check.</summary>
    internal void Pump(DateTimeOffset now)
    {
        while (_commands.TryDequeue(out var command))
        {
            command();
        }

        if (_pending is { } pending)
        {
            DrainPending(pending, now);
        }

        switch (_current)
        {
            case { Reader: not null } source:
                DrainSource(source, now);
                break;
            case { Slate: not null } slate:
                EmitSlate(slate, now);
                break;
        }

        CheckHealth(now);
        if (!IsCurrent(_status))
        {
            // A new snapshot only when something changed: the loop runs 100 times a second.
            _status = Snapshot();
        }
    }

    private bool IsCurrent(ProgramStatus status) =>
        status.Mode == _mode
        && ReferenceEquals(status.OnAirSource, _onAirSource)
        && ReferenceEquals(status.OnAirItemId, _onAirItem)
        && ReferenceEquals(status.ShowingSource, _current?.Path)
        && ReferenceEquals(status.PendingSource, _pending?.Path)
        && status.Takes == _takes
        && status.LastTakeLatencyMs == _lastTakeLatencyMs
        && status.Fallbacks == _fallbacks;

    private void BeginTake(string source, string? itemId, DateTimeOffset requested, SourceRole role, bool byDirector)
    {
        if (_hub.Find(source) is not { State: StreamState.Live } stream)
        {
            Complete(new TakeResult(source, itemId, false, TimeSpan.Zero, $"{source} is not live"));
            return;
        }

        if (role == SourceRole.OnAir)
        {
            // The director's choice stands even before the cut: a loss of the old source now is not a fallback.
            _onAirSource = source;
            _onAirItem = itemId;
        }

        _pending?.Dispose();
        _pending = new Source(source, role, stream.Subscribe("program", null, skipCache: true), itemId, requested) { ByDirector = byDirector };

        // The cut waits for the source's next keyframe: a WebRTC publisher can make one now.
        stream.RequestKeyframe();
    }

    private void DrainPending(Source pending, DateTimeOffset now)
    {
        var hasVideo = pending.Reader!.Stream.VideoTrack is not null;
        while (pending.Reader.TryRead(out var frame))
        {
            if (!pending.Cut && (frame.IsKeyframe || (!hasVideo && frame.Kind == MediaKind.Audio)))
            {
                Cut(pending, frame, now);
            }

            if (pending.Cut)
            {
                Write(pending, frame, now);
            }

            frame.Release();
        }

        if (!pending.Cut && (pending.Reader.CloseReason != ReaderCloseReason.None || now - pending.RequestedAt > TimeSpan.FromSeconds(_options.TakeTimeoutSeconds)))
        {
            var error = pending.Reader.CloseReason != ReaderCloseReason.None
                ? $"{pending.Path} ended before its first keyframe"
                : $"{pending.Path} sent no keyframe within {_options.TakeTimeoutSeconds} s";
            _pending = null;
            pending.Dispose();
            if (pending.ByDirector)
            {
                Complete(new TakeResult(pending.Path, pending.ItemId, false, now - pending.RequestedAt, error));
            }
        }
    }

    private void Cut(Source target, MediaFrame first, DateTimeOffset now)
    {
        var programDts = Math.Max(_lastVideoDts, _lastAudioDts);
        target.Offset = (programDts == long.MinValue ? 0 : programDts + s_cutGap) - first.Dts;
        target.Cut = true;
        target.LastFrameAt = now;
        _current?.Dispose();
        _current = target;
        _pending = null;
        var previous = _mode;
        _mode = target.Role switch
        {
            SourceRole.OnAir => ProgramMode.OnAir,
            _ => ProgramMode.FallbackFeed,
        };

        var latency = now - target.RequestedAt;
        Log.Cut(_logger, Path, target.Path, Math.Round(latency.TotalMilliseconds, 1));
        if (target.ByDirector)
        {
            _takes++;
            _lastTakeLatencyMs = Math.Round(latency.TotalMilliseconds, 1);
            _metrics?.TakeCompleted(latency);
            Complete(new TakeResult(target.Path, target.ItemId, true, latency, null));
        }

        if (first.Track.Kind == MediaKind.Video)
        {
            // Have the slate for this resolution ready before it is needed.
            _ = _slates.GetAsync(first.Track.Width, first.Track.Height);
        }

        if (previous != _mode)
        {
            StatusChanged?.Invoke(this, Snapshot());
        }
    }

    private void DrainSource(Source source, DateTimeOffset now)
    {
        while (source.Reader!.TryRead(out var frame))
        {
            Write(source, frame, now);
            frame.Release();
        }
    }

    /// <summary>Re-times one frame of the on-air source into the program; frames that would go back in time are dropped.</summary>
    private void Write(Source source, MediaFrame frame, DateTimeOffset now)
    {
        WriteAt(frame, frame.Dts + source.Offset, frame.Pts + source.Offset);
        source.LastFrameAt = now;
    }

    private void WriteAt(MediaFrame frame, long dts, long pts)
    {
        ref var last = ref frame.Kind == MediaKind.Video ? ref _lastVideoDts : ref _lastAudioDts;
        if (dts <= last)
        {
            return;
        }

        last = dts;
        if (frame.Kind == MediaKind.Video)
        {
            _lastVideoTrack = frame.Track;
        }

        var stream = _publisher.Stream;
        var announced = frame.Kind == MediaKind.Video ? stream.VideoTrack : stream.AudioTrack;
        if (!ReferenceEquals(announced, frame.Track))
        {
            _publisher.SetTrack(frame.Track);
        }

        _publisher.Write(frame.Retime(dts, pts));
    }

    private void CheckHealth(DateTimeOffset now)
    {
        if (_onAirSource is null)
        {
            return;
        }

        if (_mode == ProgramMode.OnAir && _current is { Role: SourceRole.OnAir } onAir && _pending is null && Lost(onAir, now))
        {
            Log.SourceLost(_logger, Path, onAir.Path, _fallback);
            _fallbacks++;
            EnterFallback(now);
            StatusChanged?.Invoke(this, Snapshot());
            return;
        }

        if (_mode == ProgramMode.FallbackFeed && _current is { Role: SourceRole.Fallback } backup && _pending is null && Lost(backup, now))
        {
            CutToSlate(now);
        }

        if (_mode is ProgramMode.Slate or ProgramMode.FallbackFeed or ProgramMode.Holding)
        {
            if (_mode == ProgramMode.Slate && _current is null)
            {
                CutToSlate(now); // the slate was still being made
            }

            // Holding shows nothing else, so it always takes the source back; a slate or backup only when so configured.
            if ((_returnWhenBack || _mode == ProgramMode.Holding) && _pending is null && _hub.Find(_onAirSource) is { State: StreamState.Live })
            {
                Log.SourceBack(_logger, Path, _onAirSource);
                BeginTake(_onAirSource, _onAirItem, now, SourceRole.OnAir, byDirector: false);
            }
        }
    }

    private bool Lost(Source source, DateTimeOffset now) =>
        source.Reader is { } reader
        && (reader.CloseReason != ReaderCloseReason.None
            || reader.Stream.State != StreamState.Live
            || now - source.LastFrameAt > TimeSpan.FromMilliseconds(_options.FallbackAfterMilliseconds));

    private void EnterFallback(DateTimeOffset now)
    {
        if (_fallback == FallbackMode.Feed && _fallbackSource is { } backup && _hub.Find(backup) is { State: StreamState.Live } stream)
        {
            _mode = ProgramMode.FallbackFeed;
            _pending?.Dispose();
            _pending = new Source(backup, SourceRole.Fallback, stream.Subscribe("program", null, skipCache: true), null, now);
            return;
        }

        if (_fallback == FallbackMode.None)
        {
            // Nothing on air until the source is back; its old reader must not leak frames in meanwhile.
            _mode = ProgramMode.Holding;
            _current?.Dispose();
            _current = null;
            return;
        }

        CutToSlate(now);
    }

    private void CutToSlate(DateTimeOffset now)
    {
        _mode = ProgramMode.Slate;
        var track = _lastVideoTrack;
        if (_slates.TryGet(track?.Width ?? 0, track?.Height ?? 0) is not { } clip)
        {
            _current?.Dispose();
            _current = null; // retried on the next pump, once ffmpeg has made it
            return;
        }

        var programDts = Math.Max(_lastVideoDts, _lastAudioDts);
        _current?.Dispose();
        _current = new Source(SlateName, SourceRole.Slate, null, null, now)
        {
            Slate = clip,
            Offset = (programDts == long.MinValue ? 0 : programDts + s_cutGap) - clip.Start,
            SlateStartedAt = now,
            Cut = true,
        };
        Log.Cut(_logger, Path, SlateName, 0);
    }

    /// <summary>Writes the slate's frames that are due by now, pass after pass, paced by the clock.</summary>
    private void EmitSlate(Source slate, DateTimeOffset now)
    {
        var clip = slate.Slate!;
        var due = MediaClock.FromSeconds((now - slate.SlateStartedAt).TotalSeconds);
        while (true)
        {
            var frame = clip.Frames[slate.SlateIndex];
            var passOffset = slate.SlatePass * clip.Duration;
            var relative = frame.Dts - clip.Start + passOffset;
            if (relative > due)
            {
                break;
            }

            WriteAt(frame, frame.Dts + slate.Offset + passOffset, frame.Pts + slate.Offset + passOffset);
            if (++slate.SlateIndex == clip.Frames.Count)
            {
                slate.SlateIndex = 0;
                slate.SlatePass++;
            }
        }

        slate.LastFrameAt = now;
    }

    private void Complete(TakeResult result)
    {
        if (!result.Succeeded)
        {
            Log.TakeFailed(_logger, Path, result.Source, result.Error ?? "");
        }

        // Listeners read Status: have it show the take.
        _status = Snapshot();
        TakeCompleted?.Invoke(this, result);
    }

    private ProgramStatus Snapshot() => new(
        Path,
        _mode,
        _onAirSource,
        _onAirItem,
        _current?.Path,
        _pending?.Path,
        _takes,
        _lastTakeLatencyMs,
        _fallbacks);

    private enum SourceRole
    {
        OnAir,
        Fallback,
        Slate,
    }

    /// <summary>A source of the program: a subscribed stream, or the slate.</summary>
    private sealed class Source(string path, SourceRole role, MediaReader? reader, string? itemId, DateTimeOffset requestedAt) : IDisposable
    {
        public string Path { get; } = path;

        public SourceRole Role { get; } = role;

        public MediaReader? Reader { get; } = reader;

        public string? ItemId { get; } = itemId;

        public DateTimeOffset RequestedAt { get; } = requestedAt;

        /// <summary>Added to the source's timestamps to place them on the program's timeline.</summary>
        public long Offset { get; set; }

        public bool Cut { get; set; }

        /// <summary>A take the director asked for (counted and reported), not an automatic fallback or return.</summary>
        public bool ByDirector { get; init; }

        public DateTimeOffset LastFrameAt { get; set; }

        public SlateClip? Slate { get; init; }

        public DateTimeOffset SlateStartedAt { get; init; }

        public int SlateIndex { get; set; }

        public long SlatePass { get; set; }

        public void Dispose() => Reader?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(2310, LogLevel.Information, "{ProgramPath}: cut to {Source} ({LatencyMs} ms after the request)")]
        public static partial void Cut(ILogger logger, string programPath, string source, double latencyMs);

        [LoggerMessage(2311, LogLevel.Warning, "{ProgramPath}: take of {Source} failed: {Error}")]
        public static partial void TakeFailed(ILogger logger, string programPath, string source, string error);

        [LoggerMessage(2312, LogLevel.Warning, "{ProgramPath}: on-air source {Source} lost; falling back ({Fallback})")]
        public static partial void SourceLost(ILogger logger, string programPath, string source, FallbackMode fallback);

        [LoggerMessage(2313, LogLevel.Information, "{ProgramPath}: {Source} is back; returning to it")]
        public static partial void SourceBack(ILogger logger, string programPath, string source);

        [LoggerMessage(2314, LogLevel.Error, "{ProgramPath}: switcher step failed")]
        public static partial void PumpFailed(ILogger logger, string programPath, Exception exception);
    }
}
