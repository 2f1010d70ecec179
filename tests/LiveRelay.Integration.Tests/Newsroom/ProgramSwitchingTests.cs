using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Newsroom;

/// <summary>
/// Takes cut the program between two feeds that look and sound different (testsrc2 with 1000 Hz,
/// SMPTE bars with 440 Hz); players of the program over HLS and RTMP record across the cuts, and the
/// recordings are decoded to check that what they show and play follows the takes, on one timeline.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ProgramSwitchingTests(ServerFixture fixture) : IDisposable
{
    private const int ToneA = 1000;
    private const int ToneB = 440;
    // HLS recordings start a few seconds in the past (the playlist's window) and a busy machine delays
    // the takes: 20 s leaves the last take more than the two half-second windows the check needs.
    private const double RecordSeconds = 20;

    // Each source plays this long before the next take (counted in frames the program took in).
    private const double SecondsPerTake = 3;

    // One GOP: the feeds have a keyframe every second, so no cut may leave a longer hole.
    private const double MaxGapSeconds = 1.0;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly ServerProcess _server = fixture.Server;
    private readonly NewsroomDriver _newsroom = new(fixture.Server);
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Take_AlternatingBetweenTwoFeeds_HlsAndRtmpRecordingsFollowTheTakesOnOneTimeline()
    {
        const string feedA = "live/switch-a";
        const string feedB = "live/switch-b";
        var publishers = await Task.WhenAll(
            _newsroom.PublishAsync(feedA, seconds: 60, toneHz: ToneA, source: "testsrc2"),
            _newsroom.PublishAsync(feedB, seconds: 60, toneHz: ToneB, source: "smptebars"));
        await using var publisherA = publishers[0];
        await using var publisherB = publishers[1];
        var rundownId = await _newsroom.CreateRundownAsync("Switching");
        var itemA = await _newsroom.AddItemAsync(rundownId, "Studio", feedA);
        var itemB = await _newsroom.AddItemAsync(rundownId, "Bars", feedB);
        var program = $"program/{rundownId}";
        await _newsroom.TakeAsync(rundownId, itemA, feedA);

        var rtmpFile = _files.File("program.flv");
        var hlsFile = _files.File("program.ts");
        await using var rtmpPlayer = Ffmpeg.Record(_server.RtmpUrl(program), rtmpFile, RecordSeconds);
        await using var hlsPlayer = Ffmpeg.Record(_server.HttpUrl($"{program}/index.m3u8"), hlsFile, RecordSeconds);
        // Both players have read the program's streams and opened their output: they are receiving.
        await Task.WhenAll(rtmpPlayer.WaitForOutputAsync("Output #0", s_timeout), hlsPlayer.WaitForOutputAsync("Output #0", s_timeout));
        await _newsroom.WaitForMediaAsync(program, SecondsPerTake);
        foreach (var (item, feed) in new[] { (itemB, feedB), (itemA, feedA), (itemB, feedB) })
        {
            await _newsroom.TakeAsync(rundownId, item, feed);
            await _newsroom.WaitForMediaAsync(program, SecondsPerTake);
        }

        Assert.True(await rtmpPlayer.WaitForExitAsync(s_timeout) == 0, rtmpPlayer.AllOutput);
        Assert.True(await hlsPlayer.WaitForExitAsync(s_timeout) == 0, hlsPlayer.AllOutput);
        var status = await _newsroom.GetProgramAsync(rundownId);
        Assert.Equal(4, status.GetProperty("takes").GetInt32());
        Assert.Equal(0, status.GetProperty("fallbacks").GetInt32());
        Assert.Equal(itemB, status.GetProperty("onAirItemId").GetString());
        Assert.True(status.GetProperty("lastTakeLatencyMs").GetDouble() > 0, status.ToString());
        Assert.False(publisherA.HasExited || publisherB.HasExited, "the feeds must outlast the recordings");
        foreach (var file in new[] { rtmpFile, hlsFile })
        {
            await AssertFollowsTakesAsync(file);
        }
    }

    private async Task AssertFollowsTakesAsync(string file)
    {
        var probe = await Ffmpeg.ProbeAsync(file);
        Assert.Equal("h264", probe.Video.GetProperty("codec_name").GetString());
        Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());

        // (a) one continuous timeline across the three cuts, for video and for audio.
        var videoSpan = await MediaContent.AssertContinuousAsync(file, "v", MaxGapSeconds);
        var audioSpan = await MediaContent.AssertContinuousAsync(file, "a", MaxGapSeconds);
        Assert.True(videoSpan > RecordSeconds - 2, $"{file}: video spans {videoSpan:F2} s of {RecordSeconds}");
        Assert.True(audioSpan > RecordSeconds - 2, $"{file}: audio spans {audioSpan:F2} s of {RecordSeconds}");

        // (b) what it plays follows the takes: A, B, A, B. A window that straddles a cut may be unclear.
        var tones = await MediaContent.TonesAsync(file, file + ".pcm", ToneA, ToneB);
        Assert.True(
            MediaContent.Runs(tones, minimumRun: 2, MediaContent.Unclear).SequenceEqual([ToneA, ToneB, ToneA, ToneB]),
            $"{file}: tones per 0.5 s were {string.Join(' ', tones)}");
        var pictures = await MediaContent.PicturesAsync(file, file + ".gray");
        Assert.True(
            MediaContent.Runs(pictures, minimumRun: 5).SequenceEqual([Picture.Pattern, Picture.Bars, Picture.Pattern, Picture.Bars]),
            $"{file}: pictures were {string.Join(' ', MediaContent.Runs(pictures, minimumRun: 1))} over {pictures.Count} frames");
    }
}
