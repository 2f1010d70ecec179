using System.Diagnostics;
using LiveRelay.LoadTest.Infrastructure;

namespace LiveRelay.LoadTest.Source;

/// <summary>
/// One published stream: <c>ffmpeg -re -stream_loop -1 -i clip.flv -c copy -f flv rtmp://…</c>.
/// No encoding happens during a run, so publishers cost little CPU.
/// </summary>
internal sealed class Publisher : IDisposable
{
    private readonly Process _process;
    private readonly OutputTail _tail = new();

    private Publisher(string streamName, Uri target, TestClip clip)
    {
        StreamName = streamName;
        Target = target;
        StartedAt = Stopwatch.GetTimestamp();
        _process = ChildProcesses.Start(
            TestClip.Ffmpeg,
            ["-hide_banner", "-loglevel", "warning", "-nostdin", "-nostats", "-re", "-stream_loop", "-1", "-i", clip.Path, "-c", "copy", "-f", "flv", target.ToString()],
            _tail);
        ProcessId = _process.Id;
    }

    public string StreamName { get; }

    public Uri Target { get; }

    /// <summary>When ffmpeg was started (a <see cref="Stopwatch"/> timestamp): the start of "publish → first HLS segment".</summary>
    public long StartedAt { get; }

    public int ProcessId { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>What ffmpeg last said (for error messages).</summary>
    public string RecentOutput => _tail.Text();

    public static Publisher Start(string streamName, Uri target, TestClip clip) => new(streamName, target, clip);

    public void Dispose() => ChildProcesses.Kill(_process);
}
