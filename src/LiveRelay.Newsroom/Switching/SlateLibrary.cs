using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Ts;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Newsroom.Switching;

/// <summary>
/// Fallback slates, one per resolution: made once by an ffmpeg child process (a still image, or a
/// plain card, looped as 1.28 s of H.264 with AAC silence: 32 video and 60 audio frames, so both tracks
/// loop seamlessly), kept as MPEG-TS under the data directory and loaded into memory.
/// </summary>
public sealed partial class SlateLibrary : IDisposable
{
    private const string Seconds = "1.28";
    private readonly ConcurrentDictionary<(int Width, int Height), Lazy<Task<SlateClip>>> _clips = new();
    private readonly string _directory;
    private readonly string? _image;
    private readonly ILogger<SlateLibrary> _logger;

    /// <param name="directory">Where generated slates are kept.</param>
    /// <param name="image">A still image (PNG/JPEG) to show, or null for a plain card.</param>
    /// <param name="logger">Logger.</param>
    public SlateLibrary(string directory, string? image, ILogger<SlateLibrary> logger)
    {
        _directory = directory;
        _image = string.IsNullOrEmpty(image) ? null : image;
        _logger = logger;
    }

    /// <summary>The slate for a resolution, generated on first use.</summary>
    public Task<SlateClip> GetAsync(int width, int height)
    {
        // Even sizes for 4:2:0; a sane default when the program has not shown video yet.
        width = width is >= 16 and <= 7680 ? width & ~1 : 1280;
        height = height is >= 16 and <= 4320 ? height & ~1 : 720;
        var lazy = _clips.GetOrAdd((width, height), key => new Lazy<Task<SlateClip>>(() => LoadAsync(key.Width, key.Height)));
        if (lazy.Value.IsFaulted)
        {
            // A failed generation (ffmpeg missing, disk full) is retried on the next call.
            _clips.TryRemove(new KeyValuePair<(int, int), Lazy<Task<SlateClip>>>((width, height), lazy));
        }

        return lazy.Value;
    }

    /// <summary>The slate if it is ready now.</summary>
    public SlateClip? TryGet(int width, int height)
    {
        var task = GetAsync(width, height);
        return task.IsCompletedSuccessfully ? task.Result : null;
    }

    public void Dispose()
    {
        foreach (var lazy in _clips.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                lazy.Value.Result.Dispose();
            }
        }
    }

    private async Task<SlateClip> LoadAsync(int width, int height)
    {
        Directory.CreateDirectory(_directory);
        var name = string.Create(CultureInfo.InvariantCulture, $"slate-{width}x{height}{(_image is null ? "" : "-image")}.ts");
        var path = Path.Combine(_directory, name);
        if (!File.Exists(path))
        {
            await GenerateAsync(path, width, height).ConfigureAwait(false);
        }

        var frames = new List<MediaFrame>();
        var demuxer = new TsDemuxer((_, frame) => frames.Add(frame));
        demuxer.Push(await File.ReadAllBytesAsync(path).ConfigureAwait(false));
        demuxer.Flush();
        var firstKey = frames.FindIndex(f => f.IsKeyframe);
        if (firstKey < 0)
        {
            foreach (var frame in frames)
            {
                frame.Release();
            }

            throw new InvalidOperationException($"The slate {path} has no keyframe.");
        }

        Log.SlateReady(_logger, width, height, path);
        return new SlateClip(frames, width, height);
    }

    private async Task GenerateAsync(string path, int width, int height)
    {
        var inv = CultureInfo.InvariantCulture;
        var size = string.Create(inv, $"{width}x{height}");
        List<string> arguments = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y"];
        if (_image is null)
        {
            arguments.AddRange(["-f", "lavfi", "-i", $"color=c=0x1d2b53:s={size}:r=25"]);
        }
        else
        {
            arguments.AddRange(["-loop", "1", "-framerate", "25", "-i", _image]);
        }

        arguments.AddRange(
        [
            "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo",
            "-t", Seconds, "-map", "0:v", "-map", "1:a",
            "-vf", string.Create(inv, $"scale={width}:{height}:force_original_aspect_ratio=decrease,pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,format=yuv420p"),
            "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-g", "16", "-keyint_min", "16", "-bf", "0", "-r", "25",
            "-c:a", "aac", "-b:a", "64k",
            "-f", "mpegts", path + ".tmp",
        ]);
        var start = new ProcessStartInfo("ffmpeg", arguments) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg could not be started.");
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("ffmpeg did not make the slate within 60 s.");
        }

        var errors = await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            Log.SlateFailed(_logger, width, height, process.ExitCode, errors);
            throw new InvalidOperationException($"ffmpeg could not make the {size} slate (exit {process.ExitCode}): {errors}");
        }

        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static partial class Log
    {
        [LoggerMessage(2300, LogLevel.Information, "Slate {Width}x{Height} ready ({Path})")]
        public static partial void SlateReady(ILogger logger, int width, int height, string path);

        [LoggerMessage(2301, LogLevel.Error, "ffmpeg could not make the {Width}x{Height} slate (exit {ExitCode}): {Errors}")]
        public static partial void SlateFailed(ILogger logger, int width, int height, int exitCode, string errors);
    }
}
