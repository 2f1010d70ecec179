using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Protocols.Http.Flv;

namespace LiveRelay.Server.Control.Monitoring;

/// <summary>
/// Watches one live feed for the control page with a supervised ffmpeg: the feed goes in as FLV on
/// stdin; out come a thumbnail of every keyframe (only keyframes are decoded; 320 pixels wide, mpjpeg
/// on stdout) and the audio's peak level every ~90 ms (astats on stderr). ffmpeg is restarted with
/// backoff if it dies while the feed is live, and killed with the monitor.
/// </summary>
public sealed partial class FeedMonitor : IAsyncDisposable
{
    private const string PeakKey = "lavfi.astats.Overall.Peak_level=";
    private static readonly TimeSpan[] s_backoff = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)];

    private readonly LiveStream _stream;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private readonly Lock _levelLock = new();
    private byte[]? _thumbnail;
    private int _thumbnailVersion;
    private double _bucketPeak = double.NegativeInfinity;
    private long _bucketStart;
    private double? _level;
    private long _levelAt;
    private long _lastOutput;
    private int _runningFor = -1;

    public FeedMonitor(LiveStream stream, TimeProvider time, ILogger logger)
    {
        _stream = stream;
        _time = time;
        _logger = logger;
        _run = Task.Run(RunAsync);
    }

    public string Path => _stream.Path;

    /// <summary>The stream watched.</summary>
    public LiveStream Stream => _stream;

    /// <summary>How long ffmpeg may stay silent while frames go in before it is restarted.</summary>
    public static TimeSpan StallTimeout { get; } = TimeSpan.FromSeconds(20);

    /// <summary>False when the stream's tracks changed since ffmpeg started (a restart is due).</summary>
    public bool MatchesTracks
    {
        get
        {
            var running = Volatile.Read(ref _runningFor);
            return running < 0 || running == Wanted(_stream);
        }
    }

    /// <summary>Whether a stream has anything a monitor can show: H.264 pictures or audio.</summary>
    public static bool CanMonitor(LiveStream stream) => Wanted(stream) != 0;

    private static int Wanted(LiveStream stream) =>
        (stream.VideoTrack?.Codec == CodecId.H264 ? 1 : 0) | (stream.AudioTrack is not null ? 2 : 0);

    /// <summary>The latest thumbnail (JPEG), or null before the first.</summary>
    public byte[]? Thumbnail => Volatile.Read(ref _thumbnail);

    /// <summary>Grows with every new thumbnail.</summary>
    public int ThumbnailVersion => Volatile.Read(ref _thumbnailVersion);

    /// <summary>The audio's peak level over the last full second in dBFS (−120…0), or null when none was measured lately.</summary>
    public double? AudioLevelDb
    {
        get
        {
            lock (_levelLock)
            {
                return _level is { } level && _time.GetElapsedTime(_levelAt) < TimeSpan.FromSeconds(3) ? level : null;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Takes one "lavfi.astats.Overall.Peak_level=-17.27" reading (public for tests).</summary>
    public void OnPeak(double peakDb)
    {
        var now = _time.GetTimestamp();
        lock (_levelLock)
        {
            if (_bucketStart == 0)
            {
                _bucketStart = now;
            }

            _bucketPeak = Math.Max(_bucketPeak, double.IsNaN(peakDb) ? double.NegativeInfinity : peakDb);
            if (_time.GetElapsedTime(_bucketStart, now) >= TimeSpan.FromSeconds(1))
            {
                _level = Math.Round(Math.Clamp(_bucketPeak, -120, 0), 1);
                _levelAt = now;
                _bucketPeak = double.NegativeInfinity;
                _bucketStart = now;
            }
        }
    }

    /// <summary>Parses one stderr line of ffmpeg; true when it was a level reading.</summary>
    public static bool TryParsePeak(string line, out double peakDb)
    {
        ArgumentNullException.ThrowIfNull(line);
        peakDb = 0;
        var at = line.IndexOf(PeakKey, StringComparison.Ordinal);
        if (at < 0)
        {
            return false;
        }

        var value = line.AsSpan(at + PeakKey.Length).Trim();
        if (value.StartsWith("-inf", StringComparison.Ordinal))
        {
            peakDb = double.NegativeInfinity;
            return true;
        }

        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out peakDb);
    }

    /// <summary>The ffmpeg arguments for a feed with these tracks (thumbnails only from H.264: ffmpeg 5.1 reads no HEVC in FLV).</summary>
    public static string Arguments(bool thumbnails, bool audio)
    {
        var args = "-hide_banner -nostats -loglevel info -skip_frame:v nokey -f flv -i pipe:0";
        if (thumbnails)
        {
            args += " -map 0:v:0 -vf scale=320:-2 -fps_mode passthrough -q:v 6 -flush_packets 1 -f mpjpeg pipe:1";
        }

        if (audio)
        {
            args += " -map 0:a:0 -af asetnsamples=n=4096:p=0,astats=metadata=1:reset=1,ametadata=mode=print:key=lavfi.astats.Overall.Peak_level -f null -";
        }

        return args;
    }

    private async Task RunAsync()
    {
        var failures = 0;
        while (!_stop.IsCancellationRequested && _stream.State != StreamState.Ended)
        {
            var started = _time.GetTimestamp();
            string? error;
            try
            {
                error = await RunOnceAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Never let a monitor die silently: log, back off and try again.
                error = $"{ex.GetType().Name}: {ex.Message}";
            }

            if (_stop.IsCancellationRequested || _stream.State == StreamState.Ended)
            {
                return;
            }

            failures = _time.GetElapsedTime(started) > TimeSpan.FromSeconds(30) ? 0 : failures + 1;
            var delay = s_backoff[Math.Min(failures, s_backoff.Length - 1)];
            Log.Restarting(_logger, Path, error ?? "ffmpeg exited", delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, _time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One ffmpeg run; the reason it ended, or null when it ended with the feed or the monitor.</summary>
    private async Task<string?> RunOnceAsync()
    {
        var thumbnails = _stream.VideoTrack?.Codec == CodecId.H264;
        var audio = _stream.AudioTrack is not null;
        Volatile.Write(ref _runningFor, (thumbnails ? 1 : 0) | (audio ? 2 : 0));
        if (!thumbnails && !audio)
        {
            return "nothing to monitor (no H.264 video, no audio)";
        }

        var start = new ProcessStartInfo("ffmpeg", Arguments(thumbnails, audio))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start");
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"ffmpeg cannot be started: {ex.Message}";
        }

        using (process)
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            using var reader = _stream.Subscribe("monitor", null);
            using var registration = linked.Token.Register(static r => ((MediaReader)r!).Dispose(), reader);
            Volatile.Write(ref _lastOutput, _time.GetTimestamp());

            // Reads of a child's pipes block a thread on Linux: stdout and stderr get threads of their
            // own, not the pool's. Writes to stdin block only when ffmpeg stops reading, and the
            // watchdog kills it then.
            var input = PipeWriter.Create(process.StandardInput.BaseStream);
            var feed = FeedAsync(reader, input, linked.Token);
            var pictures = OnThread("monitor-stdout", () => ReadPictures(process.StandardOutput.BaseStream));
            var log = OnThread("monitor-stderr", () => ReadLog(process.StandardError));
            var stalled = WatchAsync(reader, linked.Token);

            // Whichever ends first ends the run: the feed (reader closed), ffmpeg (exited or broke its
            // picture stream), or the watchdog (ffmpeg stopped answering).
            var first = await Task.WhenAny(feed, pictures, stalled, process.WaitForExitAsync(linked.Token)).ConfigureAwait(false);
            var feedEnded = reader.CloseReason != ReaderCloseReason.None;
            var reason = first == pictures ? await pictures.ConfigureAwait(false)
                : first == stalled ? await stalled.ConfigureAwait(false)
                : null;
            await linked.CancelAsync().ConfigureAwait(false);
            Kill(process);
            await Task.WhenAll(Quietly(feed), Quietly(pictures), Quietly(log), Quietly(stalled)).ConfigureAwait(false);
            if (reason is not null || _stop.IsCancellationRequested || feedEnded)
            {
                return reason;
            }

            return $"ffmpeg exited ({ExitCode(process)}): {(log.IsCompletedSuccessfully ? log.Result : "")}";
        }
    }

    /// <summary>Runs a blocking loop on a thread of its own.</summary>
    private static Task<T> OnThread<T>(string name, Func<T> loop)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.TrySetResult(loop());
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or AggregateException or NotSupportedException)
        {
            // It exited on its own meanwhile.
        }
    }

    /// <summary>Ends the run when ffmpeg has said nothing (no picture, no level) for a while although frames go in.</summary>
    private async Task<string?> WatchAsync(MediaReader reader, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var delivered = reader.DeliveredFrames;
                await Task.Delay(StallTimeout, _time, cancellationToken).ConfigureAwait(false);
                if (reader.DeliveredFrames > delivered && _time.GetElapsedTime(Volatile.Read(ref _lastOutput)) > StallTimeout)
                {
                    return $"ffmpeg stalled: no thumbnail or level for {StallTimeout.TotalSeconds:0} s while the feed was live";
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private async Task FeedAsync(MediaReader reader, PipeWriter input, CancellationToken cancellationToken)
    {
        try
        {
            await HttpFlvEgress.WriteAsync(_stream, reader, input, static _ => { }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // ffmpeg went away or the monitor stopped.
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads the thumbnails from ffmpeg's stdout until it closes; the reason if they were unreadable.</summary>
    private string? ReadPictures(Stream stdout)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= MultipartJpegReader.MaxPictureBytes + MultipartJpegReader.MaxHeaderBytes + 2)
                    {
                        return "ffmpeg's thumbnails are unreadable: a part larger than the limit";
                    }

                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var read = stdout.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    return null;
                }

                length += read;
                var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer, 0, length));
                while (MultipartJpegReader.TryRead(ref reader, out var picture))
                {
                    Volatile.Write(ref _thumbnail, picture.ToArray());
                    Interlocked.Increment(ref _thumbnailVersion);
                    Volatile.Write(ref _lastOutput, _time.GetTimestamp());
                }

                var consumed = (int)reader.Consumed;
                buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
                length -= consumed;
            }
        }
        catch (InvalidDataException ex)
        {
            return $"ffmpeg's thumbnails are unreadable: {ex.Message}";
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>Reads ffmpeg's log until it closes: level readings go to the meter; the last lines are kept for an error message.</summary>
    private string ReadLog(StreamReader stderr)
    {
        var last = new Queue<string>(4);
        try
        {
            while (stderr.ReadLine() is { } line)
            {
                if (TryParsePeak(line, out var peak))
                {
                    OnPeak(peak);
                    Volatile.Write(ref _lastOutput, _time.GetTimestamp());
                }
                else if (!line.Contains("Parsed_ametadata", StringComparison.Ordinal))
                {
                    if (last.Count == 4)
                    {
                        last.Dequeue();
                    }

                    last.Enqueue(line.Length > 300 ? line[..300] : line);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // Stopped.
        }

        return string.Join(" | ", last);
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The run is over; its end reason was taken already.
        }
    }

    private static string ExitCode(Process process) => process.HasExited ? $"code {process.ExitCode}" : "killed";

    private static partial class Log
    {
        [LoggerMessage(2400, LogLevel.Warning, "Feed monitor of {StreamPath} restarts in {DelaySeconds} s: {Reason}")]
        public static partial void Restarting(ILogger logger, string streamPath, string reason, double delaySeconds);
    }
}
