using System.Diagnostics;

namespace LiveRelay.LoadTest.Measurement;

/// <summary>
/// The server's own child processes that are not already measured as the server (LiveRelay's
/// supervised ffmpegs, e.g. the AAC → Opus transcoder a stream gets while WHEP viewers watch it).
/// Their CPU does not show in the server's <c>/proc/PID/stat</c> until they exit, so it is measured
/// apart: found at the start of the window, sampled at both ends.
/// </summary>
internal sealed class ServerChildren
{
    private readonly IReadOnlyList<int> _pids;
    private readonly long _startedAt;
    private readonly long _ticksAtStart;

    private ServerChildren(IReadOnlyList<int> pids)
    {
        _pids = pids;
        _startedAt = Stopwatch.GetTimestamp();
        _ticksAtStart = Ticks(pids);
    }

    /// <summary>Finds the children of <paramref name="serverPids"/> (other than those pids) and samples their CPU.</summary>
    public static ServerChildren Start(IReadOnlyList<int> serverPids) =>
        new([.. serverPids.SelectMany(ProcStats.Children).Where(pid => !serverPids.Contains(pid)).Distinct()]);

    /// <summary>Their CPU since <see cref="Start"/> and their RSS now; null when the server had none.</summary>
    public ServerChildUsage? End()
    {
        if (_pids.Count == 0)
        {
            return null;
        }

        var seconds = Stopwatch.GetElapsedTime(_startedAt).TotalSeconds;
        var ticks = Math.Max(0, Ticks(_pids) - _ticksAtStart);
        var rss = _pids.Sum(pid => ProcStats.RssKiB(pid) ?? 0);
        return new ServerChildUsage(_pids.Count, seconds <= 0 ? 0 : ticks * 100.0 / ProcStats.ClockTicksPerSecond / seconds, rss);
    }

    private static long Ticks(IEnumerable<int> pids) => pids.Sum(pid => ProcStats.CpuTicks(pid) ?? 0);
}

/// <summary>CPU (% of one core) over the window and RSS at its end of the server's child processes.</summary>
internal sealed record ServerChildUsage(int Processes, double CpuPercent, long RssKiB);
