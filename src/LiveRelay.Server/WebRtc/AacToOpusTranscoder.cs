using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LiveRelay.Codecs.Aac;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Rtp;

namespace LiveRelay.Server.WebRtc;

/// <summary>
/// A stream's AAC as Opus for its WebRTC players: one supervised <c>ffmpeg</c> per stream, started
/// with the stream's first WHEP viewer and stopped with its last. An internal reader feeds ADTS to
/// ffmpeg's stdin; ffmpeg sends Opus RTP to a loopback UDP port read here; each Opus packet is
/// handed to the viewers with its time on the stream's timeline (the first packet is placed at the
/// first AAC frame fed, later ones by their RTP timestamps). ffmpeg that dies is started again with
/// back-off while viewers remain; its stderr goes to the log.
/// </summary>
internal sealed partial class AacToOpusTranscoder : IAsyncDisposable
{
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(30);

    private readonly LiveStream _stream;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<Action<ReadOnlyMemory<byte>, long>> _viewers = [];
    private Task _run = Task.CompletedTask;

    public AacToOpusTranscoder(LiveStream stream, ILogger logger)
    {
        _stream = stream;
        _logger = logger;
    }

    /// <summary>Times ffmpeg was started.</summary>
    public int Starts { get; private set; }

    public int Viewers
    {
        get
        {
            lock (_lock)
            {
                return _viewers.Count;
            }
        }
    }

    public void Start() => _run = Task.Run(RunAsync);

    /// <summary>Adds a viewer's Opus sink (payload, time at 90 kHz); called on the receive thread.</summary>
    public void Add(Action<ReadOnlyMemory<byte>, long> viewer)
    {
        lock (_lock)
        {
            _viewers.Add(viewer);
        }
    }

    /// <summary>Removes a viewer; true when it was the last.</summary>
    public bool Remove(Action<ReadOnlyMemory<byte>, long> viewer)
    {
        lock (_lock)
        {
            _viewers.Remove(viewer);
            return _viewers.Count == 0;
        }
    }

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
                await TranscodeOnceAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                Log.Failed(_logger, _stream.Path, ex.Message);
            }

            if (_stream.State == StreamState.Ended)
            {
                return;
            }

            failures++;
            var backoff = TimeSpan.FromSeconds(Math.Min(s_maxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures, 6) - 1)));
            Log.Restarting(_logger, _stream.Path, backoff.TotalSeconds);
            try
            {
                await Task.Delay(backoff, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task TranscodeOnceAsync()
    {
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)receiver.LocalEndPoint!).Port;
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "-hide_banner", "-loglevel", "warning", "-fflags", "nobuffer", "-probesize", "4096", "-analyzeduration", "0",
            "-f", "aac", "-i", "pipe:0", "-vn", "-c:a", "libopus", "-b:a", "96k", "-ar", "48000", "-ac", "2",
            "-application", "lowdelay", "-frame_duration", "20",
            "-f", "rtp", "-payload_type", "111", $"rtp://127.0.0.1:{port}?pkt_size=1200",
        })
        {
            info.ArgumentList.Add(argument);
        }

        using var ffmpeg = Process.Start(info) ?? throw new InvalidOperationException("ffmpeg did not start");
        Starts++;
        Log.Started(_logger, _stream.Path, ffmpeg.Id);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var errors = Task.Run(async () =>
        {
            while (await ffmpeg.StandardError.ReadLineAsync(stop.Token).ConfigureAwait(false) is { } line)
            {
                Log.FfmpegSaid(_logger, _stream.Path, line);
            }
        });
        long firstAacTime = -1;
        var feed = FeedAsync(ffmpeg, time => Interlocked.CompareExchange(ref firstAacTime, time, -1), stop.Token);
        var read = ReceiveAsync(receiver, () => Interlocked.Read(ref firstAacTime), stop.Token);
        try
        {
            await Task.WhenAny(feed, read, ffmpeg.WaitForExitAsync(stop.Token)).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            if (!ffmpeg.HasExited)
            {
                ffmpeg.Kill(entireProcessTree: true);
            }

            await Task.WhenAll(feed, read, errors).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        _stop.Token.ThrowIfCancellationRequested();
        throw new IOException($"ffmpeg exited ({(ffmpeg.HasExited ? ffmpeg.ExitCode : -1)})");
    }

    /// <summary>The stream's AAC frames as ADTS on ffmpeg's stdin, from the GOP cache's start on.</summary>
    private async Task FeedAsync(Process ffmpeg, Action<long> first, CancellationToken cancellationToken)
    {
        using var reader = _stream.Subscribe("opus-transcoder", null);
        var input = ffmpeg.StandardInput.BaseStream;
        var header = new byte[7];
        while (await reader.WaitToReadAsync().ConfigureAwait(false) && !cancellationToken.IsCancellationRequested)
        {
            while (reader.TryRead(out var frame))
            {
                try
                {
                    if (frame.Track.Codec == CodecId.Aac && AudioSpecificConfig.TryParse(frame.Track.CodecConfig.Span, out var config) && Adts.CanWrite(config))
                    {
                        first(frame.Dts);
                        Adts.WriteHeader(header, config, frame.PayloadLength);
                        await input.WriteAsync(header, cancellationToken).ConfigureAwait(false);
                        await input.WriteAsync(frame.Payload, cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    frame.Release();
                }
            }

            await input.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>ffmpeg's Opus RTP packets to the viewers, each with its time on the stream's timeline.</summary>
    private async Task ReceiveAsync(Socket receiver, Func<long> firstAacTime, CancellationToken cancellationToken)
    {
        var buffer = new byte[2048];
        uint? firstTimestamp = null;
        long anchor = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var length = await receiver.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (!RtpPacket.TryRead(buffer.AsSpan(0, length), out var header, out var payload, out _) || payload.IsEmpty)
            {
                continue;
            }

            if (firstTimestamp is null)
            {
                firstTimestamp = header.Timestamp;
                anchor = Math.Max(0, firstAacTime());
            }

            var time = anchor + ((long)(int)(header.Timestamp - firstTimestamp.Value) * MediaClock.Hz / 48000);
            var opus = buffer.AsMemory(length - payload.Length, payload.Length);
            Action<ReadOnlyMemory<byte>, long>[] viewers;
            lock (_lock)
            {
                viewers = [.. _viewers];
            }

            foreach (var viewer in viewers)
            {
                viewer(opus, time);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2750, LogLevel.Information, "AAC→Opus for WebRTC players of {StreamPath}: ffmpeg {ProcessId} started")]
        public static partial void Started(ILogger logger, string streamPath, int processId);

        [LoggerMessage(2751, LogLevel.Warning, "AAC→Opus for {StreamPath}: {Problem}")]
        public static partial void Failed(ILogger logger, string streamPath, string problem);

        [LoggerMessage(2752, LogLevel.Warning, "AAC→Opus for {StreamPath}: ffmpeg starts again in {Seconds:0.#} s")]
        public static partial void Restarting(ILogger logger, string streamPath, double seconds);

        [LoggerMessage(2753, LogLevel.Warning, "AAC→Opus for {StreamPath}: ffmpeg: {Line}")]
        public static partial void FfmpegSaid(ILogger logger, string streamPath, string line);
    }
}
