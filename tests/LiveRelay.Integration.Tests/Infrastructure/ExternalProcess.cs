using System.Diagnostics;
using System.Text;

namespace LiveRelay.Integration.Tests.Infrastructure;

/// <summary>A child process (ffmpeg, ffprobe, the server) with captured output, killed on dispose.</summary>
public sealed class ExternalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<(string Needle, TaskCompletionSource Found)> _waiters = [];
    private readonly List<string> _lines = [];

    private ExternalProcess(Process process) => _process = process;

    private int _disposed;

    public int Id => _process.Id;

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public string AllOutput => StandardOutput + StandardError;

    public bool HasExited => _process.HasExited;

    public static ExternalProcess Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var wrapper = new ExternalProcess(process);
        process.OutputDataReceived += (_, e) => wrapper.OnLine(wrapper._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => wrapper.OnLine(wrapper._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    /// <summary>Runs to completion; throws if it takes longer than <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        await using var process = Start(fileName, arguments);
        var exit = await process.WaitForExitAsync(timeout);
        return (exit, process.AllOutput);
    }

    /// <summary>A position in the output; pass it to <see cref="WaitForOutputAsync"/> to ignore earlier lines.</summary>
    public int Mark()
    {
        lock (_waiters)
        {
            return _lines.Count;
        }
    }

    /// <summary>
    /// Completes when a line containing <paramref name="needle"/> has been printed (stdout or stderr),
    /// at or after <paramref name="since"/>; throws <see cref="TimeoutException"/> otherwise.
    /// </summary>
    public async Task WaitForOutputAsync(string needle, TimeSpan timeout, int since = 0)
    {
        var found = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            for (var i = since; i < _lines.Count; i++)
            {
                if (_lines[i].Contains(needle, StringComparison.Ordinal))
                {
                    return;
                }
            }

            _waiters.Add((needle, found));
        }

        try
        {
            await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"'{needle}' was not printed within {timeout}. Last output:\n{Tail(AllOutput)}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{_process.StartInfo.FileName} did not exit within {timeout}. Output:\n{Tail(AllOutput)}");
        }

        // Let the asynchronous output readers drain.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM-like termination (closes stdin, then kills the process tree on timeout).</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        try
        {
            // ffmpeg stops cleanly on 'q'.
            await _process.StandardInput.WriteAsync('q');
            await _process.StandardInput.FlushAsync();
        }
        catch (IOException)
        {
        }

        using var cts = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>Sends a real signal (<c>TERM</c>, <c>KILL</c>, <c>STOP</c>, <c>CONT</c>) to the process itself.</summary>
    public async Task SignalAsync(string signal)
    {
        var (exit, output) = await RunAsync("kill", [$"-{signal}", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        if (exit != 0 && !_process.HasExited)
        {
            throw new InvalidOperationException($"kill -{signal} {Id} failed: {output}");
        }
    }

    /// <summary>The exit code once the process has exited.</summary>
    public int ExitCode => _process.ExitCode;

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>Kills the process if it runs and waits for it; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Kill();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
        }

        _process.Dispose();
    }

    public static string Tail(string text, int lines = 40) =>
        string.Join('\n', text.Split('\n').TakeLast(lines));

    private void OnLine(StringBuilder into, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (into)
        {
            into.AppendLine(line);
        }

        lock (_waiters)
        {
            _lines.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (line.Contains(_waiters[i].Needle, StringComparison.Ordinal))
                {
                    _waiters[i].Found.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
