using System.Globalization;

namespace LiveRelay.LoadTest.Source;

/// <summary>The generated test clip: testsrc2 video and a sine tone, H.264 + AAC in FLV.</summary>
internal sealed record ClipSpec
{
    public int Width { get; init; } = 1280;

    public int Height { get; init; } = 720;

    public int FramesPerSecond { get; init; } = 25;

    public int VideoKbps { get; init; } = 2500;

    public int AudioKbps { get; init; } = 128;

    /// <summary>Keyframe interval in frames (50 at 25 fps: a keyframe every 2 s).</summary>
    public int GopFrames { get; init; } = 50;

    public int DurationSeconds { get; init; } = 20;

    /// <summary>Seconds between keyframes; readers join spread over this.</summary>
    public TimeSpan Gop => TimeSpan.FromSeconds((double)GopFrames / FramesPerSecond);

    /// <summary>A name that changes whenever a parameter does (the cache key).</summary>
    public string CacheKey => string.Create(
        CultureInfo.InvariantCulture,
        $"{Width}x{Height}-{FramesPerSecond}fps-v{VideoKbps}k-a{AudioKbps}k-g{GopFrames}-{DurationSeconds}s-v1");

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Width}x{Height} {FramesPerSecond} fps testsrc2, H.264 veryfast {VideoKbps} kbit/s, keyframe every {GopFrames} frames, AAC {AudioKbps} kbit/s, {DurationSeconds} s looped");

    /// <summary>The ffmpeg arguments that encode the clip to <paramref name="output"/>.</summary>
    public IEnumerable<string> EncodeArguments(string output)
    {
        var inv = CultureInfo.InvariantCulture;
        return
        [
            "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "lavfi", "-i", string.Create(inv, $"testsrc2=size={Width}x{Height}:rate={FramesPerSecond}"),
            "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
            "-t", DurationSeconds.ToString(inv),
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
            "-b:v", string.Create(inv, $"{VideoKbps}k"), "-maxrate", string.Create(inv, $"{VideoKbps}k"), "-bufsize", string.Create(inv, $"{VideoKbps}k"),
            "-g", GopFrames.ToString(inv), "-keyint_min", GopFrames.ToString(inv), "-sc_threshold", "0", "-bf", "0",
            "-c:a", "aac", "-b:a", string.Create(inv, $"{AudioKbps}k"), "-ar", "48000",
            "-f", "flv", output,
        ];
    }
}
