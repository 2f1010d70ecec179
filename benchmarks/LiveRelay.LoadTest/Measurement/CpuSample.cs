using System.Diagnostics;

namespace LiveRelay.LoadTest.Measurement;

/// <summary>
/// CPU time of the processes that matter, taken at one instant: the server under test (every
/// pid, e.g. nginx master and worker), this tool, the publishing ffmpegs, and the whole machine.
/// Two samples give the CPU use over the window between them.
/// </summary>
internal readonly record struct CpuSample(long Timestamp, long ServerTicks, long ToolTicks, long PublisherTicks, long MachineBusyTicks, long MachineTotalTicks)
{
    public static CpuSample Take(IEnumerable<int> serverPids, IEnumerable<int> publisherPids)
    {
        var machine = ProcStats.MachineTicks();
        return new CpuSample(
            Stopwatch.GetTimestamp(),
            Sum(serverPids),
            ProcStats.CpuTicks(Environment.ProcessId) ?? 0,
            Sum(publisherPids),
            machine.Busy,
            machine.Total);
    }

    /// <summary>CPU use between two samples, as % of one core (200 = two cores busy).</summary>
    public static CpuUsage Between(CpuSample start, CpuSample end)
    {
        var seconds = Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp).TotalSeconds;
        double Percent(long ticks) => seconds <= 0 ? 0 : ticks * 100.0 / ProcStats.ClockTicksPerSecond / seconds;
        var machineTotal = end.MachineTotalTicks - start.MachineTotalTicks;
        var machine = machineTotal <= 0 ? 0 : (end.MachineBusyTicks - start.MachineBusyTicks) * 100.0 * Environment.ProcessorCount / machineTotal;
        return new CpuUsage(
            seconds,
            Percent(end.ServerTicks - start.ServerTicks),
            Percent(end.ToolTicks - start.ToolTicks),
            Percent(end.PublisherTicks - start.PublisherTicks),
            machine);
    }

    private static long Sum(IEnumerable<int> pids)
    {
        long ticks = 0;
        foreach (var pid in pids)
        {
            ticks += ProcStats.CpuTicks(pid) ?? 0;
        }

        return ticks;
    }
}

/// <summary>CPU use over a window, each as % of one core.</summary>
/// <param name="Seconds">Wall-clock length of the window.</param>
/// <param name="ServerPercent">The server under test (all its processes).</param>
/// <param name="ToolPercent">This load tool (all players).</param>
/// <param name="PublishersPercent">The publishing ffmpeg processes.</param>
/// <param name="MachinePercent">Every process on the machine (at most 100 × cores).</param>
internal sealed record CpuUsage(double Seconds, double ServerPercent, double ToolPercent, double PublishersPercent, double MachinePercent)
{
    /// <summary>What the machine spent outside the server, the tool and the publishers (other work, the kernel's softirqs).</summary>
    public double OtherPercent => Math.Max(0, MachinePercent - ServerPercent - ToolPercent - PublishersPercent);
}
