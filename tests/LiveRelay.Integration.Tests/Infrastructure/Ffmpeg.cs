using System.Globalization;
using System.Text.Json;

namespace LiveRelay.Integration.Tests.Infrastructure;

/// <summary>ffmpeg and ffprobe as real peers. Test media is generated with lavfi sources.</summary>
public static class Ffmpeg
{
    /// <summary>
    /// Starts publishing a generated H.264/AAC stream in real time: 640x360 testsrc2 at 25 fps with a
    /// keyframe every second, and a sine tone, for <paramref name="seconds"/>.
    /// </summary>
    public static ExternalProcess Publish(string url, double seconds, int toneHz = 1000, string source = "testsrc2", string format = "flv")
    {
        string[] arguments =
        [
            "-hide_banner", "-loglevel", "info", "-nostats",
            "-re",
            "-f", "lavfi", "-i", $"{source}=size=640x360:rate=25",
            "-f", "lavfi", "-i", $"sine=frequency={toneHz}:sample_rate=44100",
            "-t", seconds.ToString(CultureInfo.InvariantCulture),
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
            "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-b:v", "800k",
            "-c:a", "aac", "-b:a", "64k", "-ac", "2",
            "-f", format, url,
        ];
        return ExternalProcess.Start("ffmpeg", arguments);
    }

    /// <summary>Copies <paramref name="seconds"/> of a live URL into a file (no re-encoding).</summary>
    public static ExternalProcess Record(string url, string outputFile, double seconds, params string[] inputOptions)
    {
        string[] arguments =
        [
            "-hide_banner", "-loglevel", "info", "-nostats", "-y",
            .. inputOptions,
            "-i", url,
            "-t", seconds.ToString(CultureInfo.InvariantCulture),
            "-c", "copy",
            outputFile,
        ];
        return ExternalProcess.Start("ffmpeg", arguments);
    }

    /// <summary>ffprobe's streams and packet counts for a file or URL.</summary>
    public static async Task<ProbeResult> ProbeAsync(string input)
    {
        var (exit, output) = await ExternalProcess.RunAsync(
            "ffprobe",
            ["-v", "error", "-count_packets", "-show_streams", "-show_format", "-of", "json", input],
            TimeSpan.FromSeconds(60));
        if (exit != 0)
        {
            throw new InvalidOperationException($"ffprobe {input} failed ({exit}):\n{output}");
        }

        var json = output[output.IndexOf('{', StringComparison.Ordinal)..];
        return new ProbeResult(JsonDocument.Parse(json).RootElement.Clone());
    }

    /// <summary>Packet timestamps (seconds) of one stream type, in file order.</summary>
    public static async Task<List<(double Pts, double Dts, bool Key)>> PacketsAsync(string input, string streamSelector)
    {
        var (exit, output) = await ExternalProcess.RunAsync(
            "ffprobe",
            ["-v", "error", "-select_streams", streamSelector, "-show_entries", "packet=pts_time,dts_time,flags", "-of", "csv=p=0", input],
            TimeSpan.FromSeconds(60));
        if (exit != 0)
        {
            throw new InvalidOperationException($"ffprobe packets of {input} failed ({exit}):\n{output}");
        }

        var packets = new List<(double, double, bool)>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(',');
            if (parts.Length >= 3
                && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var pts)
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var dts))
            {
                packets.Add((pts, dts, parts[2].Contains('K', StringComparison.Ordinal)));
            }
        }

        return packets;
    }
}

public sealed record ProbeResult(JsonElement Root)
{
    public JsonElement? Stream(string codecType)
    {
        foreach (var stream in Root.GetProperty("streams").EnumerateArray())
        {
            if (stream.GetProperty("codec_type").GetString() == codecType)
            {
                return stream;
            }
        }

        return null;
    }

    public JsonElement Video => Stream("video") ?? throw new InvalidOperationException("no video stream:\n" + Root);

    public JsonElement Audio => Stream("audio") ?? throw new InvalidOperationException("no audio stream:\n" + Root);

    public static int Packets(JsonElement stream) => int.Parse(stream.GetProperty("nb_read_packets").GetString()!, CultureInfo.InvariantCulture);
}
