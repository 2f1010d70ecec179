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
            var error = await RunOnceAsync().ConfigureAwait(false);
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
        if (!thumbnails && !audio)
        {
            return "nothing to monitor yet (no H.264 video, no audio)";
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
            var input = PipeWriter.Create(process.StandardInput.BaseStream);
            var feed = FeedAsync(reader, input, linked.Token);
            var pictures = ReadPicturesAsync(process.StandardOutput.BaseStream, linked.Token);
            var levels = ReadLogAsync(process.StandardError, linked.Token);

            // Whichever ends first ends the run: the feed (reader closed), ffmpeg (exited), or a bad picture stream.
            var first = await Task.WhenAny(feed, pictures, process.WaitForExitAsync(linked.Token)).ConfigureAwait(false);
            var reason = first == pictures ? await pictures.ConfigureAwait(false) : null;
            await linked.CancelAsync().ConfigureAwait(false);
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await Task.WhenAll(Quietly(feed), Quietly(pictures), Quietly(levels)).ConfigureAwait(false);
            var lastLines = levels.IsCompletedSuccessfully ? levels.Result : "";
            return reason ?? (_stop.IsCancellationRequested || reader.CloseReason != ReaderCloseReason.None ? null : $"ffmpeg exited ({ExitCode(process)}): {lastLines}");
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

    private async Task<string?> ReadPicturesAsync(Stream stdout, CancellationToken cancellationToken)
    {
        var pipe = PipeReader.Create(stdout);
        try
        {
            while (true)
            {
                var result = await pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
                var reader = new SequenceReader<byte>(result.Buffer);
                try
                {
                    while (MultipartJpegReader.TryRead(ref reader, out var picture))
                    {
                        Volatile.Write(ref _thumbnail, picture.ToArray());
                        Interlocked.Increment(ref _thumbnailVersion);
                    }
                }
                catch (InvalidDataException ex)
                {
                    return $"ffmpeg's thumbnails are unreadable: {ex.Message}";
                }

                pipe.AdvanceTo(reader.Position, result.Buffer.End);
                if (result.IsCompleted)
                {
                    // Parked here until the run ends: ffmpeg's exit is the signal, not its stdout.
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            return null;
        }
        finally
        {
            await pipe.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads ffmpeg's log: level readings go to the meter; the last lines are kept for an error message.</summary>
    private async Task<string> ReadLogAsync(StreamReader stderr, CancellationToken cancellationToken)
    {
        var last = new Queue<string>(4);
        try
        {
            while (await stderr.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (TryParsePeak(line, out var peak))
                {
                    OnPeak(peak);
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
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
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
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
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
