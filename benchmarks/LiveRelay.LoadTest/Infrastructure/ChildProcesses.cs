using System.Diagnostics;

namespace LiveRelay.LoadTest.Infrastructure;

/// <summary>
/// Every process the tool starts (servers, ffmpeg) goes through here, so all of them are killed
/// when the tool ends: normally, on Ctrl+C, on SIGTERM, or on an unhandled exception.
/// </summary>
internal static class ChildProcesses
{
    private static readonly object s_lock = new();
    private static readonly List<Process> s_children = [];

    static ChildProcesses()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => CleanUp();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => CleanUp();
    }

    /// <summary>Starts a process with stdout and stderr drained into <paramref name="tail"/> and stdin closed.</summary>
    public static Process Start(string fileName, IEnumerable<string> arguments, OutputTail tail, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => tail.Add(e.Data);
        process.ErrorDataReceived += (_, e) => tail.Add(e.Data);
        lock (s_lock)
        {
            if (!process.Start())
            {
                throw new InvalidOperationException($"{fileName} did not start");
            }

            s_children.Add(process);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs a short command to its end (bounded by <paramref name="timeLimit"/>) and returns its exit code and stdout.</summary>
    public static async Task<(int ExitCode, string Output, OutputTail Errors)> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan timeLimit, CancellationToken cancellationToken)
    {
        var errors = new OutputTail();
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) => errors.Add(e.Data);
        lock (s_lock)
        {
            if (!process.Start())
            {
                throw new InvalidOperationException($"{fileName} did not start");
            }

            s_children.Add(process);
        }

        try
        {
            process.StandardInput.Close();
            process.BeginErrorReadLine();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeLimit);
            var output = await process.StandardOutput.ReadToEndAsync(limit.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            return (process.ExitCode, output, errors);
        }
        finally
        {
            Kill(process);
        }
    }

    /// <summary>Kills a process and its descendants (an nginx master takes its workers with it).</summary>
    public static void Kill(Process process)
    {
        lock (s_lock)
        {
            s_children.Remove(process);
        }

        KillQuietly(process);
    }

    /// <summary>Kills every child still running, then deletes the temporary directories they used.</summary>
    public static void CleanUp()
    {
        KillAll();
        TempDirectory.DeleteAll();
    }

    /// <summary>Kills every child still running.</summary>
    public static void KillAll()
    {
        Process[] children;
        lock (s_lock)
        {
            children = [.. s_children];
            s_children.Clear();
        }

        foreach (var child in children)
        {
            KillQuietly(child);
        }
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
        finally
        {
            process.Dispose();
        }
    }
}
