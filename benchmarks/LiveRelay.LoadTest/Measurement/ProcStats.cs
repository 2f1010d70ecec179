using System.Globalization;

namespace LiveRelay.LoadTest.Measurement;

/// <summary>Reads CPU time and memory of processes, and the machine's CPU use, from /proc (Linux).</summary>
internal static class ProcStats
{
    private static readonly Lazy<int> s_clockTicks = new(ReadClockTicks);

    /// <summary>Clock ticks per second of the times in /proc (<c>getconf CLK_TCK</c>; 100 on Linux).</summary>
    public static int ClockTicksPerSecond => s_clockTicks.Value;

    /// <summary>
    /// utime + stime of a process, in clock ticks, or null when it is gone.
    /// /proc/PID/stat: <c>pid (comm) state ppid … utime(14) stime(15) …</c>; comm may hold spaces
    /// and parentheses, so fields are counted after the last ')'.
    /// </summary>
    public static long? CpuTicks(int pid)
    {
        var fields = StatFields(pid);
        if (fields is null || fields.Length < 13)
        {
            return null;
        }

        // fields[0] is field 3 (state), so field N is fields[N - 3].
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>The parent pid of a process, or null when it is gone.</summary>
    public static int? ParentPid(int pid)
    {
        var fields = StatFields(pid);
        return fields is { Length: > 1 } ? int.Parse(fields[1], CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Resident set size (VmRSS in /proc/PID/status) in KiB, or null when the process is gone.</summary>
    public static long? RssKiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[1], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }

    /// <summary>Pids whose parent is <paramref name="parentPid"/> (an nginx master's workers).</summary>
    public static List<int> Children(int parentPid)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ParentPid(pid) == parentPid)
            {
                children.Add(pid);
            }
        }

        return children;
    }

    /// <summary>
    /// The machine's CPU time from the first line of /proc/stat (<c>cpu user nice system idle iowait
    /// irq softirq steal …</c>): busy and total ticks summed over all cores.
    /// </summary>
    public static (long Busy, long Total) MachineTicks()
    {
        var line = File.ReadLines("/proc/stat").First();
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        long total = 0;
        for (var i = 1; i <= Math.Min(8, parts.Length - 1); i++)
        {
            total += long.Parse(parts[i], CultureInfo.InvariantCulture);
        }

        var idle = long.Parse(parts[4], CultureInfo.InvariantCulture) + long.Parse(parts[5], CultureInfo.InvariantCulture);
        return (total - idle, total);
    }

    private static string[]? StatFields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var close = text.LastIndexOf(')');
        return close < 0 ? null : text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    private static int ReadClockTicks()
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("getconf", "CLK_TCK")
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
            if (process is not null && process.WaitForExit(5000)
                && int.TryParse(process.StandardOutput.ReadToEnd().Trim(), CultureInfo.InvariantCulture, out var ticks) && ticks > 0)
            {
                return ticks;
            }
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            // Fall through to the Linux default.
        }

        return 100;
    }
}
