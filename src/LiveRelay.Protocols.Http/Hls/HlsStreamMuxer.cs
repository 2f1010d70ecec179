using System.Text;
using LiveRelay.Core.Buffers;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Hls;
using LiveRelay.Formats.Ts;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Protocols.Http.Hls;

/// <summary>
/// The HLS segmenter of one live stream: reads the stream like any other reader, muxes MPEG-TS,
/// cuts segments at the first keyframe after the target duration, and keeps a sliding window
/// of segments and the playlist bytes in memory. A publisher that resumes within the grace period
/// (a new generation) or new codec parameters start a segment with EXT-X-DISCONTINUITY.
/// </summary>
internal sealed partial class HlsStreamMuxer
{
    private static readonly ReaderOptions s_readerOptions = new()
    {
        // In-process and fast; generous bounds so a busy machine does not cost partners a segment.
        MaxQueuedDuration = TimeSpan.FromSeconds(20),
        MaxQueuedFrames = 8192,
        MaxQueuedBytes = 128L * 1024 * 1024,
        MaxSkips = 1000,

        // The segmenter's latency does not matter at this scale: wake it a few times a second, not per frame.
        MinBatchDuration = TimeSpan.FromMilliseconds(200),
    };

    private readonly object _lock = new();
    private readonly LiveStream _stream;
    private readonly HlsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _instance;
    private readonly List<HlsSegment> _segments = [];
    private readonly TaskCompletionSource _firstSegment = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly MediaReader _reader;
    private byte[] _playlist = [];
    private long _nextSequence;
    private long _discontinuitySequence;
    private int _targetDuration;
    private bool _ended;

    // Segment being written (only the mux loop touches these).
    private PooledBufferWriter? _writer;
    private TsMuxer? _muxer;
    private long _segmentStartDts;
    private long _lastDts;
    private DateTimeOffset _segmentStartTime;
    private bool _segmentDiscontinuity;
    private int _generation;
    private TrackInfo? _video;
    private TrackInfo? _audio;
    private bool _reportedUnsupported;
    private bool _muxerHasVideo;
    private bool _muxerHasAudio;
    private readonly List<MediaFrame> _held = [];
    private bool _replaying;

    public HlsStreamMuxer(LiveStream stream, HlsOptions options, TimeProvider time, ILogger logger)
    {
        _stream = stream;
        _options = options;
        _time = time;
        _logger = logger;
        _instance = (time.GetUtcNow().ToUnixTimeMilliseconds() & 0xFFFFFFF).ToString("x7", System.Globalization.CultureInfo.InvariantCulture);
        _targetDuration = (int)Math.Ceiling(options.SegmentSeconds);
        _reader = stream.Subscribe("hls", null, s_readerOptions);
        Completion = Task.Run(RunAsync);
    }

    /// <summary>The stream path.</summary>
    public string Path => _stream.Path;

    /// <summary>Completes when the stream has ended and the playlist is final.</summary>
    public Task Completion { get; }

    /// <summary>Segments written so far.</summary>
    public long SegmentsWritten => Interlocked.Read(ref _nextSequence);

    /// <summary>Raised after each finished segment with its duration in seconds.</summary>
    public event Action<HlsStreamMuxer, double>? SegmentWritten;

    /// <summary>Waits for the first segment, up to <paramref name="timeout"/>; false when none came.</summary>
    public async Task<bool> WaitForFirstSegmentAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _firstSegment.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The current playlist bytes (rebuilt once per segment), or empty before the first segment.</summary>
    public byte[] Playlist => Volatile.Read(ref _playlist);

    /// <summary>Finds a segment and takes a reference on its bytes for the caller, who releases it.</summary>
    public MediaBuffer? AcquireSegment(string name)
    {
        lock (_lock)
        {
            foreach (var segment in _segments)
            {
                if (segment.Name == name)
                {
                    segment.Data.AddRef();
                    return segment.Data;
                }
            }
        }

        return null;
    }

    /// <summary>Drops every segment (when the retention period after the end has passed).</summary>
    public void Release()
    {
        _reader.Dispose();
        lock (_lock)
        {
            foreach (var segment in _segments)
            {
                segment.Data.Release();
            }

            _segments.Clear();
        }
    }

    private async Task RunAsync()
    {
        try
        {
            while (await _reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_reader.TryRead(out var frame))
                {
                    try
                    {
                        OnFrame(frame);
                    }
                    finally
                    {
                        frame.Release();
                    }
                }
            }

            FinishSegment(endDts: null);
        }
        catch (Exception ex)
        {
            Log.MuxerFailed(_logger, _stream.Path, ex);
        }
        finally
        {
            foreach (var held in _held)
            {
                held.Release();
            }

            _held.Clear();
            _writer?.Release();
            _writer = null;
            lock (_lock)
            {
                _ended = true;
                RebuildPlaylist();
            }

            _firstSegment.TrySetResult();
        }
    }

    private void OnFrame(MediaFrame frame)
    {
        if (!CanCarry(frame.Track))
        {
            if (!_reportedUnsupported)
            {
                _reportedUnsupported = true;
                Log.CodecNotCarried(_logger, _stream.Path, frame.Track.Codec);
            }

            return;
        }

        var video = frame.Kind == MediaKind.Video;
        var hasVideo = _stream.VideoTrack is { } v && CanCarry(v);
        var newGeneration = frame.Generation != _generation;
        var configChanged = video ? !frame.Track.HasSameConfig(_video) && _video is not null : !frame.Track.HasSameConfig(_audio) && _audio is not null;
        var canCut = video ? frame.IsKeyframe : !hasVideo;

        if (_writer is null)
        {
            if (HoldForLateAudio(frame, canCut))
            {
                return;
            }

            // Every segment starts on a keyframe (or anywhere, for audio-only streams).
            if (!canCut)
            {
                return;
            }

            StartSegment(frame, discontinuity: (newGeneration && _generation != 0) || configChanged);
        }
        else if (canCut && (newGeneration || configChanged || SegmentLongEnough(frame.Dts)))
        {
            FinishSegment(endDts: frame.Dts);
            StartSegment(frame, discontinuity: newGeneration || configChanged);
        }
        else if (newGeneration)
        {
            // The publisher came back but we are not on a keyframe yet: close what we have and wait for one.
            FinishSegment(endDts: frame.Dts);
            _generation = frame.Generation;
            _segmentDiscontinuity = true;
            return;
        }

        if (video ? !_muxerHasVideo : !_muxerHasAudio)
        {
            // A track that appeared mid-segment joins at the next segment.
            return;
        }

        if (video)
        {
            _video = frame.Track;
        }
        else
        {
            _audio = frame.Track;
        }

        _muxer!.WriteFrame(frame, _writer!);
        _lastDts = Math.Max(_lastDts, frame.Dts);
    }

    /// <summary>
    /// Ingests that announce audio after the first video keyframe (SRT/TS publishers do: the audio PES
    /// trails the video) would make a first segment without an audio program, and players then never
    /// see audio. So the stream's first keyframe and what follows it are held (references, no copies)
    /// until the audio track appears or one second of media has passed, and then replayed into the
    /// first segment, which still starts at that first keyframe.
    /// </summary>
    /// <returns>True when the frame was held (or dropped while waiting for a keyframe to hold from).</returns>
    private bool HoldForLateAudio(MediaFrame frame, bool canCut)
    {
        if (_nextSequence > 0 || _replaying)
        {
            return false;
        }

        if (_held.Count == 0)
        {
            if (!canCut || frame.Kind != MediaKind.Video || _stream.AudioTrack is not null)
            {
                return false;
            }
        }

        frame.AddRef();
        _held.Add(frame);
        if (_stream.AudioTrack is null && frame.Dts - _held[0].Dts < MediaClock.Hz)
        {
            return true;
        }

        // Audio is known (or will not come soon): replay from the first keyframe.
        _replaying = true;
        try
        {
            foreach (var held in _held)
            {
                OnFrame(held);
            }
        }
        finally
        {
            foreach (var held in _held)
            {
                held.Release();
            }

            _held.Clear();
            _replaying = false;
        }

        return true;
    }

    private bool SegmentLongEnough(long dts) => MediaClock.ToSeconds(dts - _segmentStartDts) >= _options.SegmentSeconds - 0.05;

    private void StartSegment(MediaFrame frame, bool discontinuity)
    {
        var video = _stream.VideoTrack is { } v && CanCarry(v) ? v : null;
        var audio = _stream.AudioTrack is { } a && CanCarry(a) ? a : null;
        if (_muxer is null || _muxerHasVideo != (video is not null) || _muxerHasAudio != (audio is not null))
        {
            // A new program map: continuity counters restart, so players must be told.
            discontinuity |= _muxer is not null;
            _muxer = new TsMuxer(video, audio);
            _muxerHasVideo = video is not null;
            _muxerHasAudio = audio is not null;
        }

        _writer = new PooledBufferWriter(256 * 1024);
        _muxer.WriteTables(_writer);
        _segmentStartDts = frame.Dts;
        _lastDts = frame.Dts;
        _segmentStartTime = _time.GetUtcNow();
        _segmentDiscontinuity |= discontinuity;
        _generation = frame.Generation;
    }

    /// <summary>
    /// Closes the segment being written. Its duration runs to <paramref name="endDts"/>, the first
    /// frame of what follows; the last segment of a stream has none, so it runs one frame past its last.
    /// </summary>
    private void FinishSegment(long? endDts)
    {
        var writer = _writer;
        if (writer is null)
        {
            return;
        }

        _writer = null;
        var end = endDts is { } next && next > _segmentStartDts ? next : _lastDts + MediaClock.FromMilliseconds(40);
        var duration = MediaClock.ToSeconds(end - _segmentStartDts);

        if (duration <= 0)
        {
            writer.Release();
            return;
        }

        var data = writer.Detach();
        writer.Release();
        var sequence = _nextSequence;
        var segment = new HlsSegment(sequence, $"{_instance}_{sequence}.ts", duration, _segmentStartTime, _segmentDiscontinuity, data);
        _segmentDiscontinuity = false;
        lock (_lock)
        {
            _segments.Add(segment);
            while (_segments.Count > _options.PlaylistSegments + _options.ExtraSegments)
            {
                CountDiscontinuity(_segments[0]);
                _segments[0].Data.Release();
                _segments.RemoveAt(0);
            }

            Interlocked.Increment(ref _nextSequence);
            _targetDuration = Math.Max(_targetDuration, (int)Math.Round(duration, MidpointRounding.AwayFromZero));
            RebuildPlaylist();
        }

        _firstSegment.TrySetResult();
        SegmentWritten?.Invoke(this, duration);
    }

    /// <summary>Rebuilds the playlist bytes from the newest segments. Caller holds the lock.</summary>
    private void RebuildPlaylist()
    {
        var start = Math.Max(0, _segments.Count - _options.PlaylistSegments);
        var entries = new List<HlsSegmentEntry>(_segments.Count - start);
        for (var i = start; i < _segments.Count; i++)
        {
            var s = _segments[i];
            entries.Add(new HlsSegmentEntry(s.Sequence, s.Name, s.DurationSeconds, s.ProgramDateTime, s.Discontinuity));
        }

        // Discontinuities that slid out of the playlist are counted by EXT-X-DISCONTINUITY-SEQUENCE.
        for (var i = 0; i < start; i++)
        {
            CountDiscontinuity(_segments[i]);
        }

        if (entries.Count == 0)
        {
            Volatile.Write(ref _playlist, []);
            return;
        }

        var mediaSequence = entries[0].Sequence;
        var text = HlsPlaylistWriter.WriteMediaPlaylist(_targetDuration, mediaSequence, _discontinuitySequence, entries, _ended);
        Volatile.Write(ref _playlist, Encoding.UTF8.GetBytes(text));
    }

    private void CountDiscontinuity(HlsSegment segment)
    {
        if (segment.Discontinuity && !segment.Counted)
        {
            segment.Counted = true;
            _discontinuitySequence++;
        }
    }

    /// <summary>Codecs the TS muxer carries.</summary>
    private static bool CanCarry(TrackInfo track) => TsMuxer.CanCarry(track.Codec);

    private static partial class Log
    {
        [LoggerMessage(1300, LogLevel.Warning, "HLS of {StreamPath}: {Codec} cannot be carried in MPEG-TS here; those frames are left out")]
        public static partial void CodecNotCarried(ILogger logger, string streamPath, CodecId codec);

        [LoggerMessage(1301, LogLevel.Error, "HLS muxer of {StreamPath} failed")]
        public static partial void MuxerFailed(ILogger logger, string streamPath, Exception exception);
    }
}
