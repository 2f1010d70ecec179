using System.Diagnostics;

namespace LiveRelay.Formats.Tests.Ts;

/// <summary>
/// Runs ffmpeg/ffprobe for end-to-end checks. A missing tool fails the test (it is never skipped silently).
/// </summary>
internal static class FfmpegTool
{
    public static (int ExitCode, string Stdout, string Stderr) Run(string tool, params string[] arguments)
    {
        var path = Find(tool);
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {path}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{tool} did not finish within 120 s.");
        }

        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    public static string RunChecked(string tool, params string[] arguments)
    {
        var (exitCode, stdout, stderr) = Run(tool, arguments);
        Assert.True(exitCode == 0, $"{tool} {string.Join(' ', arguments)} exited with {exitCode}: {stderr}");
        return stdout;
    }

    private static string Find(string tool)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin");
        foreach (var directory in directories)
        {
            var candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"{tool} is required for the end-to-end TS tests and was not found on PATH or in /usr/bin.");
        return "";
    }
}
