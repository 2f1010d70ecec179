using System.Diagnostics;

namespace LiveRelay.Formats.Tests.Flv;

/// <summary>Runs ffmpeg/ffprobe for the interoperability tests.</summary>
internal static class ExternalTool
{
    public static (byte[] Stdout, string Stderr) Run(string fileName, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{fileName} did not start.");
        process.StandardInput.Close();
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish in 60 s.");
        }

        copy.GetAwaiter().GetResult();
        var errors = stderr.GetAwaiter().GetResult();
        Assert.True(process.ExitCode == 0, $"{fileName} exited with {process.ExitCode}: {errors}");
        return (stdout.ToArray(), errors);
    }
}
