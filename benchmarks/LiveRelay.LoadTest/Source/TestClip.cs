using System.Globalization;
using System.Text.Json;
using LiveRelay.LoadTest.Infrastructure;

namespace LiveRelay.LoadTest.Source;

/// <summary>
/// The clip every publisher loops: encoded once with ffmpeg and cached in /tmp under a name keyed
/// by its parameters, so a run costs no encoding (publishers use <c>-c copy</c>).
/// </summary>
internal sealed record TestClip(string Path, ClipSpec Spec, double BitrateBitsPerSecond, double DurationSeconds)
{
    public const string Ffmpeg = "/usr/bin/ffmpeg";
    public const string Ffprobe = "/usr/bin/ffprobe";

    private static readonly TimeSpan EncodeTimeLimit = TimeSpan.FromMinutes(3);

    public double BitrateMbps => BitrateBitsPerSecond / 1e6;

    /// <summary>Returns the cached clip, encoding it first when it is missing.</summary>
    public static async Task<TestClip> GetAsync(ClipSpec spec, Action<string> progress, CancellationToken cancellationToken)
    {
        foreach (var tool in new[] { Ffmpeg, Ffprobe })
        {
            if (!File.Exists(tool))
            {
                throw new InvalidOperationException($"{tool} is missing; install it with: apt-get install ffmpeg");
            }
        }

        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"liverelay-load-clip-{spec.CacheKey}.flv");
        if (!File.Exists(path))
        {
            progress($"encoding the test clip once ({spec.Describe()}) to {path}");
            var partial = path + $".{Environment.ProcessId}.partial";
            try
            {
                var (exitCode, _, errors) = await ChildProcesses.RunAsync(Ffmpeg, spec.EncodeArguments(partial), EncodeTimeLimit, cancellationToken).ConfigureAwait(false);
                if (exitCode != 0)
                {
                    throw new InvalidOperationException($"ffmpeg could not encode the test clip (exit {exitCode}):{Environment.NewLine}{errors.Text()}");
                }

                File.Move(partial, path, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
            }
        }

        var (bitrate, duration) = await ProbeAsync(path, cancellationToken).ConfigureAwait(false);
        return new TestClip(path, spec, bitrate, duration);
    }

    /// <summary>The clip's real bitrate (ffprobe's format bit_rate, or bytes over duration) and duration.</summary>
    private static async Task<(double Bitrate, double Duration)> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        var (exitCode, json, errors) = await ChildProcesses.RunAsync(
            Ffprobe, ["-v", "error", "-show_entries", "format=duration,bit_rate,size", "-of", "json", path], TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ffprobe could not read {path} (exit {exitCode}):{Environment.NewLine}{errors.Text()}");
        }

        using var document = JsonDocument.Parse(json);
        var format = document.RootElement.GetProperty("format");
        var duration = double.Parse(format.GetProperty("duration").GetString() ?? "0", CultureInfo.InvariantCulture);
        if (format.TryGetProperty("bit_rate", out var rate) && double.TryParse(rate.GetString(), CultureInfo.InvariantCulture, out var bitrate) && bitrate > 0)
        {
            return (bitrate, duration);
        }

        return (new FileInfo(path).Length * 8 / Math.Max(duration, 0.001), duration);
    }
}
