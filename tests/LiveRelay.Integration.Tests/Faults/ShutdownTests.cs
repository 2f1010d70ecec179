using System.Net;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Faults;

/// <summary>
/// Graceful stop and publishers that die: SIGTERM while a publisher sends, an HLS player polls and a
/// partner pulls over RTMP (the publisher is closed cleanly, the playlist ends with EXT-X-ENDLIST while
/// HTTP still answers, the server exits 0, the pull is in the log after a restart); a publisher killed
/// mid-GOP (players get a clean end once the grace runs out, and what they recorded decodes).
/// </summary>
public sealed class ShutdownTests : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly TempFiles _files = new();

    public ValueTask DisposeAsync()
    {
        _files.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Sigterm_DuringPublish_ClosesCleanly_EndsHls_AndKeepsThePullLog()
    {
        var server = await ServerProcess.StartAsync($"--LiveRelay:Auth:AdminToken={ServerProcess.TestAdminToken}", "--LiveRelay:Hls:SegmentSeconds=1");
        try
        {
            var (_, feed) = await server.AdminAsync(HttpMethod.Post, "/api/feeds", new { name = "Drained", path = "live/drain" });
            var (_, station) = await server.AdminAsync(HttpMethod.Post, "/api/stations", new { name = "Partner", code = "partner-drain" });
            var (_, share) = await server.AdminAsync(HttpMethod.Post, "/api/shares", new { kind = "feed", targetId = feed.GetProperty("id").GetString(), stationId = station.GetProperty("id").GetString() });
            var (_, links) = await server.AdminAsync(HttpMethod.Get, $"/api/shares/{share.GetProperty("id").GetString()}/links");
            await using var publisher = Ffmpeg.Publish(server.RtmpUrl($"live/drain?key={feed.GetProperty("publishKey").GetString()}"), seconds: 120);
            await server.WaitForStreamAsync("live/drain", s => s.GetProperty("framesIn").GetInt64() > 75, s_timeout);
            var pulled = _files.File("pull.flv");
            await using var partner = Ffmpeg.Record(links.GetProperty("feeds")[0].GetProperty("rtmp").GetString()!, pulled, seconds: 120);
            await partner.WaitForOutputAsync("Output #0", s_timeout);
            var playlist = await server.Http.GetStringAsync("/live/drain/index.m3u8");
            Assert.DoesNotContain("#EXT-X-ENDLIST", playlist, StringComparison.Ordinal);

            await server.Process.SignalAsync("TERM");

            // During the drain HTTP still answers, with the finished playlist.
            var finished = await PollUntilAsync(() => server.Http.GetStringAsync("/live/drain/index.m3u8"), p => p.Contains("#EXT-X-ENDLIST", StringComparison.Ordinal));
            Assert.Contains("#EXTINF", finished, StringComparison.Ordinal);
            Assert.Equal(0, await server.Process.WaitForExitAsync(s_timeout));
            Assert.NotEqual(-1, await publisher.WaitForExitAsync(s_timeout));
            await partner.WaitForExitAsync(s_timeout);
            Assert.Contains("Shutting down: 1 publishers closed", server.Log, StringComparison.Ordinal);
            Assert.Contains("Publisher of live/drain closed by the server: the server is shutting down", server.Log, StringComparison.Ordinal);
            Assert.True(ProbeResult.Packets((await Ffmpeg.ProbeAsync(pulled)).Video) > 10);

            server = await server.RestartAsync(() => Task.CompletedTask);
            var (_, log) = await server.AdminAsync(HttpMethod.Get, "/api/pull-log?stream=live/drain");
            var pull = log.EnumerateArray().Single(p => p.GetProperty("protocol").GetString() == "rtmp");
            Assert.Equal(JsonValueKind.String, pull.GetProperty("endedAt").ValueKind);
            Assert.True(pull.GetProperty("bytes").GetInt64() > 0, pull.ToString());
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task PublisherKilledMidGop_PlayersGetACleanEnd_AndWhatTheyGotDecodes()
    {
        await using var server = await ServerProcess.StartAsync("--LiveRelay:Publish:ReconnectGraceSeconds=2", "--LiveRelay:Hls:SegmentSeconds=1");
        await using var publisher = Ffmpeg.Publish(server.RtmpUrl("live/killed"), seconds: 120);
        await server.WaitForStreamAsync("live/killed", s => s.GetProperty("framesIn").GetInt64() > 60, s_timeout);
        var recorded = _files.File("killed.flv");
        await using var player = Ffmpeg.Record(server.RtmpUrl("live/killed"), recorded, seconds: 120);
        await player.WaitForOutputAsync("Output #0", s_timeout);
        var frames = (await server.FindStreamAsync("live/killed"))!.Value.GetProperty("framesIn").GetInt64();
        await server.WaitForStreamAsync("live/killed", s => s.GetProperty("framesIn").GetInt64() > frames + 37, s_timeout);

        // 25 fps, a keyframe every 25 frames: any moment is inside a GOP; SIGKILL gives the encoder no chance to finish it.
        await publisher.SignalAsync("KILL");

        Assert.Equal(0, await player.WaitForExitAsync(s_timeout));
        var playlist = await PollUntilAsync(() => server.Http.GetStringAsync("/live/killed/index.m3u8"), p => p.Contains("#EXT-X-ENDLIST", StringComparison.Ordinal));
        Assert.Contains("#EXTINF", playlist, StringComparison.Ordinal);
        var (exit, errors) = await ExternalProcess.RunAsync("ffmpeg", ["-v", "error", "-i", recorded, "-f", "null", "-"], s_timeout);
        Assert.True(exit == 0 && errors.Trim().Length == 0, errors);
        Assert.True(ProbeResult.Packets((await Ffmpeg.ProbeAsync(recorded)).Video) > 25);
        using var health = await server.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    /// <summary>Repeats <paramref name="get"/> every 100 ms until the answer satisfies <paramref name="done"/>.</summary>
    private static async Task<string> PollUntilAsync(Func<Task<string>> get, Func<string, bool> done)
    {
        using var deadline = new CancellationTokenSource(s_timeout);
        while (true)
        {
            var answer = await get();
            if (done(answer))
            {
                return answer;
            }

            await Task.Delay(100, deadline.Token);
        }
    }
}
