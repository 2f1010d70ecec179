using System.Diagnostics;
using LiveRelay.LoadTest.Cli;
using LiveRelay.LoadTest.Infrastructure;

namespace LiveRelay.LoadTest.Source;

/// <summary>
/// One published stream: <c>ffmpeg -re -stream_loop -1 -i clip.flv -c copy</c> then <c>-f flv rtmp://…</c>
/// (RTMP ingest) or <c>-f mpegts "srt://…?streamid=publish:…"</c> (SRT ingest). No encoding happens
/// during a run, so publishers cost little CPU.
/// </summary>
internal sealed class Publisher : IDisposable
{
    private readonly Process _process;
    private readonly OutputTail _tail = new();

    private Publisher(string streamName, IngestProtocol ingest, Uri target, TestClip clip)
    {
        StreamName = streamName;
        Ingest = ingest;
        Target = target;
        StartedAt = Stopwatch.GetTimestamp();
        _process = ChildProcesses.Start(TestClip.Ffmpeg, Arguments(ingest, target, clip), _tail);
        ProcessId = _process.Id;
    }

    public string StreamName { get; }

    public IngestProtocol Ingest { get; }

    public Uri Target { get; }

    /// <summary>When ffmpeg was started (a <see cref="Stopwatch"/> timestamp): the start of "publish → first HLS segment".</summary>
    public long StartedAt { get; }

    public int ProcessId { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>What ffmpeg last said (for error messages).</summary>
    public string RecentOutput => _tail.Text();

    public static Publisher Start(string streamName, IngestProtocol ingest, Uri target, TestClip clip) => new(streamName, ingest, target, clip);

    /// <summary>
    /// The ffmpeg command line. For SRT, ffmpeg's mpegts muxer inserts h264_mp4toannexb itself and
    /// libsrt sends 1316-byte (7 × 188) messages; the URI carries the streamid and the latency (µs).
    /// </summary>
    public static IReadOnlyList<string> Arguments(IngestProtocol ingest, Uri target, TestClip clip) =>
    [
        "-hide_banner", "-loglevel", "warning", "-nostdin", "-nostats", "-re", "-stream_loop", "-1", "-i", clip.Path, "-c", "copy",
        "-f", ingest == IngestProtocol.Srt ? "mpegts" : "flv", target.OriginalString,
    ];

    public void Dispose() => ChildProcesses.Kill(_process);
}
