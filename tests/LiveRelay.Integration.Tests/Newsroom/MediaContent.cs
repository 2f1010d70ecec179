using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Newsroom;

/// <summary>
/// What a recording shows and sounds like, decoded with ffmpeg: the tone of each half second of audio
/// (zero-crossing rate: a sine of f Hz crosses zero 2f times a second) and a 16x9 grey thumbnail of
/// each video frame, told apart as SMPTE bars, a plain card (the slate) or a moving test pattern.
/// </summary>
internal static class MediaContent
{
    /// <summary>A window with no sound.</summary>
    public const int Silence = 0;

    /// <summary>A window whose tone is none of the expected ones (a cut inside it).</summary>
    public const int Unclear = -1;

    private const int SampleRate = 8000;
    private const int WindowSamples = SampleRate / 2;
    private const int Thumbnail = 16 * 9;

    // Samples closer to zero than this do not count as a sign (decoder noise around a crossing).
    private const int SignThreshold = 100;

    // ffmpeg's sine source is 1/8 of full scale (RMS ~2000 as 16-bit PCM); AAC silence decodes to ~0.
    private const double SilenceRms = 50;

    /// <summary>The tone of each 0.5 s window: the nearest of <paramref name="tones"/> within 10 %, <see cref="Silence"/>, or <see cref="Unclear"/>.</summary>
    public static async Task<List<int>> TonesAsync(string file, string pcmFile, params int[] tones)
    {
        await DecodeAsync(file, pcmFile, "-vn", "-ac", "1", "-ar", SampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture), "-f", "s16le");
        var bytes = await File.ReadAllBytesAsync(pcmFile);
        var samples = new short[bytes.Length / 2];
        Buffer.BlockCopy(bytes, 0, samples, 0, samples.Length * 2);
        var windows = new List<int>();
        for (var start = 0; start + WindowSamples <= samples.Length; start += WindowSamples)
        {
            windows.Add(Classify(samples.AsSpan(start, WindowSamples), tones));
        }

        return windows;
    }

    /// <summary>Root mean square of all the audio, 16-bit PCM scale.</summary>
    public static async Task<double> AudioRmsAsync(string file, string pcmFile)
    {
        await DecodeAsync(file, pcmFile, "-vn", "-ac", "1", "-ar", SampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture), "-f", "s16le");
        var bytes = await File.ReadAllBytesAsync(pcmFile);
        double sum = 0;
        var count = bytes.Length / 2;
        for (var i = 0; i < count; i++)
        {
            double sample = BitConverter.ToInt16(bytes, i * 2);
            sum += sample * sample;
        }

        return count == 0 ? double.NaN : Math.Sqrt(sum / count);
    }

    /// <summary>What each decoded video frame shows.</summary>
    public static async Task<List<Picture>> PicturesAsync(string file, string rawFile)
    {
        var bars = await BarsThumbnailAsync(rawFile + ".bars");
        var thumbnails = await ThumbnailsAsync(file, rawFile);
        return [.. thumbnails.Select(t => Classify(t, bars))];
    }

    /// <summary>
    /// Asserts that the file's packets of one kind (<c>v</c> or <c>a</c>) have strictly increasing
    /// decode timestamps with no step longer than <paramref name="maxGapSeconds"/>; returns the span covered.
    /// </summary>
    public static async Task<double> AssertContinuousAsync(string file, string streamSelector, double maxGapSeconds)
    {
        var packets = await Ffmpeg.PacketsAsync(file, streamSelector);
        Assert.True(packets.Count > 1, $"{file} has {packets.Count} '{streamSelector}' packets");
        for (var i = 1; i < packets.Count; i++)
        {
            var step = packets[i].Dts - packets[i - 1].Dts;
            Assert.True(step > 0, $"{file} '{streamSelector}': DTS did not increase at packet {i}: {packets[i - 1].Dts} -> {packets[i].Dts}");
            Assert.True(step <= maxGapSeconds, $"{file} '{streamSelector}': a gap of {step:F3} s at packet {i} ({packets[i - 1].Dts} -> {packets[i].Dts})");
        }

        return packets[^1].Dts - packets[0].Dts;
    }

    /// <summary>
    /// The sequence of distinct values, in order, left after dropping <paramref name="ignored"/> values
    /// and runs shorter than <paramref name="minimumRun"/> (a frame or window straddling a cut).
    /// </summary>
    public static List<T> Runs<T>(IEnumerable<T> values, int minimumRun, params T[] ignored)
        where T : notnull
    {
        var runs = new List<(T Value, int Length)>();
        foreach (var value in values)
        {
            if (ignored.Contains(value))
            {
                continue;
            }

            if (runs.Count > 0 && EqualityComparer<T>.Default.Equals(runs[^1].Value, value))
            {
                runs[^1] = (value, runs[^1].Length + 1);
            }
            else
            {
                runs.Add((value, 1));
            }
        }

        var sequence = new List<T>();
        foreach (var (value, length) in runs)
        {
            if (length >= minimumRun && (sequence.Count == 0 || !EqualityComparer<T>.Default.Equals(sequence[^1], value)))
            {
                sequence.Add(value);
            }
        }

        return sequence;
    }

    private static int Classify(ReadOnlySpan<short> window, int[] tones)
    {
        double sum = 0;
        var crossings = 0;
        var sign = 0;
        foreach (var sample in window)
        {
            sum += (double)sample * sample;
            if (Math.Abs((int)sample) < SignThreshold)
            {
                continue;
            }

            var current = sample > 0 ? 1 : -1;
            if (sign != 0 && current != sign)
            {
                crossings++;
            }

            sign = current;
        }

        if (Math.Sqrt(sum / window.Length) < SilenceRms)
        {
            return Silence;
        }

        var hz = crossings / 2.0 / ((double)window.Length / SampleRate);
        foreach (var tone in tones)
        {
            if (Math.Abs(hz - tone) <= tone * 0.1)
            {
                return tone;
            }
        }

        return Unclear;
    }

    private static Picture Classify(byte[] thumbnail, byte[] bars)
    {
        var difference = 0;
        for (var i = 0; i < Thumbnail; i++)
        {
            difference += Math.Abs(thumbnail[i] - bars[i]);
        }

        if (difference / (double)Thumbnail < 12)
        {
            return Picture.Bars;
        }

        return thumbnail.Max() - thumbnail.Min() < 16 ? Picture.Plain : Picture.Pattern;
    }

    private static async Task<byte[]> BarsThumbnailAsync(string rawFile)
    {
        var (exit, output) = await ExternalProcess.RunAsync(
            "ffmpeg",
            ["-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i", "smptebars=size=640x360:rate=25", "-frames:v", "1", "-vf", "scale=16:9:flags=area,format=gray", "-f", "rawvideo", rawFile],
            TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, output);
        return await File.ReadAllBytesAsync(rawFile);
    }

    private static async Task<List<byte[]>> ThumbnailsAsync(string file, string rawFile)
    {
        await DecodeAsync(file, rawFile, "-an", "-vf", "scale=16:9:flags=area,format=gray", "-f", "rawvideo");
        var bytes = await File.ReadAllBytesAsync(rawFile);
        return [.. bytes.Chunk(Thumbnail).Where(c => c.Length == Thumbnail)];
    }

    private static async Task DecodeAsync(string file, string outputFile, params string[] outputOptions)
    {
        var (exit, output) = await ExternalProcess.RunAsync(
            "ffmpeg",
            ["-hide_banner", "-v", "error", "-y", "-i", file, .. outputOptions, outputFile],
            TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"decoding {file} failed:\n{output}");
    }
}

/// <summary>What a video frame shows.</summary>
internal enum Picture
{
    /// <summary>ffmpeg's moving testsrc2 pattern.</summary>
    Pattern,

    /// <summary>SMPTE colour bars.</summary>
    Bars,

    /// <summary>A plain card of one colour (the slate).</summary>
    Plain,
}
