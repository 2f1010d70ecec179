using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LiveRelay.Codecs.Aac;
using LiveRelay.Core.Media;

namespace LiveRelay.Server.WebRtc;

/// <summary>
/// Opus from a WebRTC publisher to AAC for the players that take only AAC (HLS, RTMP, FLV, SRT):
/// a supervised <c>ffmpeg</c> child process (FFmpeg.AutoGen is not served here; SRS and nginx-rtmp
/// run a process too) reads the Opus RTP packets on a loopback UDP port described by an SDP file,
/// and writes ADTS to its stdout, read on a thread of its own. AAC frame n is placed at the Opus
/// timeline's start plus n × 1024 samples. If ffmpeg dies it is started again with back-off (1 → 30 s),
/// re-anchored to the next Opus packet; its stderr goes to the log. Video is never touched.
/// </summary>
internal sealed partial class OpusToAacTranscoder : IDisposable
{
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(30);

    private readonly string _path;
    private readonly Action<TrackInfo, MediaFrame> _onFrame;
    private readonly ILogger _logger;
    private readonly Socket _sender = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Lock _lock = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("liverelay-opus-").FullName;
    private Process? _ffmpeg;
    private IPEndPoint? _target;
    private long? _anchor;
    private long _frames;
    private int _failures;
    private long _notBefore;
    private TrackInfo? _track;
    private bool _disposed;

    public OpusToAacTranscoder(string path, Action<TrackInfo, MediaFrame> onFrame, ILogger logger)
    {
        _path = path;
        _onFrame = onFrame;
        _logger = logger;
    }

    /// <summary>Times ffmpeg was started.</summary>
    public int Starts { get; private set; }

    /// <summary>
    /// Takes one Opus RTP packet (decrypted) and the Opus frame's time on the session's timeline;
    /// starts ffmpeg at the first packet (and after a crash, once the back-off has passed).
    /// </summary>
    public void Push(ReadOnlySpan<byte> rtpPacket, long time, byte payloadType)
    {
        IPEndPoint? target;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            if (_ffmpeg is null && Environment.TickCount64 >= _notBefore)
            {
                Start(payloadType, time);
            }

            target = _target;
        }

        if (target is not null)
        {
            try
            {
                _sender.SendTo(rtpPacket, SocketFlags.None, target);
            }
            catch (SocketException)
            {
                // ffmpeg is not listening (yet or any more): the supervisor restarts it.
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            Stop();
        }

        _sender.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    private void Start(byte payloadType, long time)
    {
        var port = FreePort();
        var sdp = Path.Combine(_directory, "opus.sdp");
        File.WriteAllText(sdp, string.Create(CultureInfo.InvariantCulture, $"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=LiveRelay\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {port} RTP/AVP {payloadType}\r\na=rtpmap:{payloadType} opus/48000/2\r\n"));
        var info = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-hide_banner", "-loglevel", "warning", "-nostdin",
            "-protocol_whitelist", "file,udp,rtp", "-reorder_queue_size", "0", "-fflags", "nobuffer",
            "-i", sdp, "-vn", "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2", "-f", "adts", "pipe:1",
        })
        {
            info.ArgumentList.Add(argument);
        }

        var ffmpeg = Process.Start(info) ?? throw new InvalidOperationException("ffmpeg did not start");
        Starts++;
        _ffmpeg = ffmpeg;
        _target = new IPEndPoint(IPAddress.Loopback, port);
        _anchor = time;
        _frames = 0;
        Log.Started(_logger, _path, ffmpeg.Id, port);
        var stdout = new Thread(() => ReadAdts(ffmpeg)) { IsBackground = true, Name = "opus-aac out" };
        var stderr = new Thread(() => ReadErrors(ffmpeg)) { IsBackground = true, Name = "opus-aac err" };
        stdout.Start();
        stderr.Start();
    }

    private void Stop()
    {
        if (_ffmpeg is { } ffmpeg)
        {
            _ffmpeg = null;
            _target = null;
            try
            {
                ffmpeg.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited already.
            }

            ffmpeg.Dispose();
        }
    }

    private void ReadAdts(Process ffmpeg)
    {
        var output = ffmpeg.StandardOutput.BaseStream;
        var buffer = new byte[64 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = output.Read(buffer, filled, buffer.Length - filled);
                if (read == 0)
                {
                    break;
                }

                filled += read;
                var consumed = Emit(buffer.AsSpan(0, filled));
                if (consumed == 0 && filled == buffer.Length)
                {
                    consumed = 1; // not ADTS here: step over a byte to find the next sync word
                }

                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        catch (IOException)
        {
            // The pipe broke: treated as an exit.
        }

        lock (_lock)
        {
            if (_ffmpeg == ffmpeg && !_disposed)
            {
                // It died on its own: back off, then start again at the next Opus packet.
                _failures++;
                var backoff = TimeSpan.FromSeconds(Math.Min(s_maxBackoff.TotalSeconds, Math.Pow(2, Math.Min(_failures, 6) - 1)));
                _notBefore = Environment.TickCount64 + (long)backoff.TotalMilliseconds;
                Log.Exited(_logger, _path, backoff.TotalSeconds);
                Stop();
            }
        }
    }

    /// <summary>Publishes each whole ADTS frame in <paramref name="data"/>; returns the bytes used.</summary>
    private int Emit(ReadOnlySpan<byte> data)
    {
        var used = 0;
        while (Adts.TryParseHeader(data[used..], out var header) && used + header.FrameLength <= data.Length)
        {
            if (header.FrameLength <= header.HeaderLength)
            {
                used += Math.Max(1, header.FrameLength);
                continue;
            }

            if (_track is null || _track.SampleRate != header.SampleRate || _track.Channels != header.Channels)
            {
                var asc = AudioSpecificConfig.Build(header.ObjectType, header.SampleRate, header.Channels);
                _track = new TrackInfo
                {
                    Kind = MediaKind.Audio,
                    Codec = CodecId.Aac,
                    CodecConfig = asc,
                    SampleRate = header.SampleRate,
                    Channels = header.Channels,
                    CodecString = $"mp4a.40.{header.ObjectType}",
                };
            }

            var pts = _anchor!.Value + (_frames * 1024L * MediaClock.Hz / header.SampleRate);
            _frames++;
            _onFrame(_track, MediaFrame.Copy(_track, data.Slice(used + header.HeaderLength, header.FrameLength - header.HeaderLength), pts, pts, isKeyframe: false));
            used += header.FrameLength;
        }

        return used;
    }

    private void ReadErrors(Process ffmpeg)
    {
        try
        {
            while (ffmpeg.StandardError.ReadLine() is { } line)
            {
                Log.FfmpegSaid(_logger, _path, line);
            }
        }
        catch (IOException)
        {
            // The process went away.
        }
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static partial class Log
    {
        [LoggerMessage(2730, LogLevel.Information, "Opus→AAC for {StreamPath}: ffmpeg {ProcessId} started (RTP on 127.0.0.1:{Port})")]
        public static partial void Started(ILogger logger, string streamPath, int processId, int port);

        [LoggerMessage(2731, LogLevel.Warning, "Opus→AAC for {StreamPath}: ffmpeg exited; starting again in {Seconds:0.#} s")]
        public static partial void Exited(ILogger logger, string streamPath, double seconds);

        [LoggerMessage(2732, LogLevel.Warning, "Opus→AAC for {StreamPath}: ffmpeg: {Line}")]
        public static partial void FfmpegSaid(ILogger logger, string streamPath, string line);
    }
}
