using System.Globalization;
using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Srt;

/// <summary>
/// ffmpeg publishes H.265 (libx265) and AAC in MPEG-TS over SRT; the relay demuxes it into the media core
/// and muxes it back to TS for SRT playback and HLS, where ffprobe must find and decode HEVC.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SrtHevcTests(ServerFixture fixture) : IDisposable
{
    private const string StreamPath = "live/srt-hevc";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly ServerProcess _server = fixture.Server;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task SrtPublishHevc_ReadOverSrtAndHls_HevcAt640x360ThatDecodes()
    {
        await using var publisher = PublishHevc(_server.SrtUrl($"publish:{StreamPath}"), seconds: 15);
        await WaitPublishingAsync(publisher);

        var srtOutput = _files.File("hevc-srt.ts");
        var hlsOutput = _files.File("hevc-hls.ts");
        await using var srtPlayer = Ffmpeg.Record(_server.SrtUrl($"#!::r={StreamPath},m=request"), srtOutput, seconds: 3);
        await using var hlsPlayer = Ffmpeg.Record(_server.HttpUrl($"{StreamPath}/index.m3u8"), hlsOutput, seconds: 3);
        Assert.True(await srtPlayer.WaitForExitAsync(s_timeout) == 0, srtPlayer.AllOutput);
        Assert.True(await hlsPlayer.WaitForExitAsync(s_timeout) == 0, hlsPlayer.AllOutput);

        // Ingest: the TS demuxer turned the SRT feed into an H.265 track (3 s of it have been played by now).
        var video = (await _server.FindStreamAsync(StreamPath))!.Value.GetProperty("video");
        Assert.Equal("H265", video.GetProperty("codec").GetString());
        Assert.Equal(640, video.GetProperty("width").GetInt32());
        Assert.Equal(360, video.GetProperty("height").GetInt32());
        Assert.StartsWith("hvc1.1.6.L", video.GetProperty("codecString").GetString(), StringComparison.Ordinal);

        // Egress: the TS muxer wrote it back out for SRT playback and HLS.
        await AssertHevcThatDecodesAsync(srtOutput);
        await AssertHevcThatDecodesAsync(hlsOutput);
        Assert.True((await Ffmpeg.PacketsAsync(srtOutput, "v"))[0].Key, "SRT playback must start on a keyframe");
    }

    private static async Task AssertHevcThatDecodesAsync(string file)
    {
        var probe = await Ffmpeg.ProbeAsync(file);
        Assert.Equal("hevc", probe.Video.GetProperty("codec_name").GetString());
        Assert.Equal(640, probe.Video.GetProperty("width").GetInt32());
        Assert.Equal(360, probe.Video.GetProperty("height").GetInt32());
        Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());

        // Every video packet decodes to a picture, and the decoder reports no error.
        var (exit, output) = await ExternalProcess.RunAsync(
            "ffprobe",
            ["-v", "error", "-count_frames", "-count_packets", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames,nb_read_packets", "-of", "csv=p=0", file],
            s_timeout);
        Assert.True(exit == 0, output);
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).First(l => l.Contains(',', StringComparison.Ordinal));
        var counts = line.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        Assert.InRange(counts[0], 50, 130);
        Assert.Equal(counts[1], counts[0]);
        var (decodeExit, decodeOutput) = await ExternalProcess.RunAsync("ffmpeg", ["-v", "error", "-i", file, "-f", "null", "-"], s_timeout);
        Assert.Equal(0, decodeExit);
        Assert.Equal("", decodeOutput.Trim());
    }

    // 640x360 testsrc2 at 25 fps, libx265 as cheap as it gets, one closed GOP per second, and a sine tone.
    private static ExternalProcess PublishHevc(string url, double seconds) => ExternalProcess.Start("ffmpeg",
    [
        "-hide_banner", "-loglevel", "info", "-nostats",
        "-re",
        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=44100",
        "-t", seconds.ToString(CultureInfo.InvariantCulture),
        "-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-x265-params", "log-level=error:keyint=25:min-keyint=25:scenecut=0:open-gop=0",
        "-b:v", "600k",
        "-c:a", "aac", "-b:a", "64k", "-ac", "2",
        "-f", "mpegts", url,
    ]);

    private async Task WaitPublishingAsync(ExternalProcess publisher)
    {
        try
        {
            await _server.Process.WaitForOutputAsync($"Publishing {StreamPath} over SRT", s_timeout);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"ffmpeg did not publish {StreamPath} over SRT:\n{ExternalProcess.Tail(publisher.AllOutput)}\nserver:\n{ExternalProcess.Tail(_server.Log)}");
        }
    }
}
