using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Newsroom;

/// <summary>
/// The on-air feed's publisher dies: the program covers with the slate (a plain card with silence)
/// and keeps playing, and cuts back when the feed is published again.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ProgramFallbackTests(ServerFixture fixture) : IDisposable
{
    private const int ToneBefore = 1000;
    private const int ToneAfter = 440;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly ServerProcess _server = fixture.Server;
    private readonly NewsroomDriver _newsroom = new(fixture.Server);
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task FeedLost_SlateFallback_ProgramPlaysSilentSlateThenReturnsToTheFeed()
    {
        await using var onAir = await _newsroom.StartOnAirAsync("live/fallback-cam", seconds: 60, toneHz: ToneBefore);
        var program = onAir.ProgramPath;
        var acrossFile = _files.File("across.flv");
        await using var acrossPlayer = Ffmpeg.Record(_server.RtmpUrl(program), acrossFile, seconds: 60);
        await acrossPlayer.WaitForOutputAsync("Output #0", s_timeout);
        await _newsroom.WaitForMediaAsync(program, 2);

        onAir.Publisher.Kill();

        var slate = await _newsroom.WaitForProgramAsync(onAir.RundownId, p => p.GetProperty("mode").GetString() == "slate", "on the slate");
        Assert.Equal("slate", slate.GetProperty("showingSource").GetString());
        Assert.Equal(onAir.FeedPath, slate.GetProperty("onAirSource").GetString());
        Assert.Equal(1, slate.GetProperty("fallbacks").GetInt32());

        // A player that arrives while the feed is gone gets the slate: video, and silence.
        var afterFile = _files.File("after-kill.flv");
        await using (var latePlayer = Ffmpeg.Record(_server.RtmpUrl(program), afterFile, seconds: 3))
        {
            Assert.True(await latePlayer.WaitForExitAsync(s_timeout) == 0, latePlayer.AllOutput);
        }

        var probe = await Ffmpeg.ProbeAsync(afterFile);
        Assert.Equal("h264", probe.Video.GetProperty("codec_name").GetString());
        Assert.True(ProbeResult.Packets(probe.Video) >= 50, $"{ProbeResult.Packets(probe.Video)} video frames in 3 s of slate");
        Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());
        Assert.True(await MediaContent.AudioRmsAsync(afterFile, afterFile + ".pcm") < 50, "the slate's audio must be silent");
        var slatePictures = await MediaContent.PicturesAsync(afterFile, afterFile + ".gray");
        Assert.All(slatePictures, p => Assert.Equal(Picture.Plain, p));
        Assert.Equal("slate", (await _newsroom.GetProgramAsync(onAir.RundownId)).GetProperty("mode").GetString());

        // The reporter reconnects on the same path (a different tone, to tell the sessions apart).
        await using var again = await _newsroom.PublishAsync(onAir.FeedPath, seconds: 60, toneHz: ToneAfter);
        var back = await _newsroom.WaitForProgramAsync(
            onAir.RundownId,
            p => p.GetProperty("mode").GetString() == "onAir" && NewsroomDriver.Text(p, "showingSource") == onAir.FeedPath,
            "back on the feed");
        Assert.Equal(onAir.ItemId, back.GetProperty("onAirItemId").GetString());
        Assert.Equal(1, back.GetProperty("fallbacks").GetInt32());
        Assert.Equal(1, back.GetProperty("takes").GetInt32());
        await _newsroom.WaitForMediaAsync(program, 3);
        await acrossPlayer.StopAsync(TimeSpan.FromSeconds(10));

        // The player that stayed saw feed, slate, feed: one timeline, no hole longer than a GOP.
        await MediaContent.AssertContinuousAsync(acrossFile, "v", 1.0);
        await MediaContent.AssertContinuousAsync(acrossFile, "a", 1.0);
        var tones = await MediaContent.TonesAsync(acrossFile, acrossFile + ".pcm", ToneBefore, ToneAfter);
        Assert.True(
            MediaContent.Runs(tones, minimumRun: 2, MediaContent.Unclear).SequenceEqual([ToneBefore, MediaContent.Silence, ToneAfter]),
            $"tones per 0.5 s were {string.Join(' ', tones)}");
        var pictures = await MediaContent.PicturesAsync(acrossFile, acrossFile + ".gray");
        Assert.True(
            MediaContent.Runs(pictures, minimumRun: 5).SequenceEqual([Picture.Pattern, Picture.Plain, Picture.Pattern]),
            $"pictures were {string.Join(' ', MediaContent.Runs(pictures, minimumRun: 1))} over {pictures.Count} frames");
    }
}
