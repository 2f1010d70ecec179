using System.Net;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Newsroom;

/// <summary>
/// A partner station pulls a shared rundown's program with the links the admin API hands out: they play
/// over HLS, RTMP and SRT; a forged token, an expired share and a revoked share are refused (and pulls in
/// progress end); the pull log records who pulled what, how, from where, for how long and how much.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class PartnerPullTests(ServerFixture fixture) : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    // A pull that is cut off must end well before it would have stopped by itself.
    private const double LongPullSeconds = 120;
    private readonly ServerProcess _server = fixture.Server;
    private readonly NewsroomDriver _newsroom = new(fixture.Server);
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task ShareLinks_HlsRtmpAndHttpFlv_PlayH264AndAacAndArePulledUnderTheStation()
    {
        await using var onAir = await _newsroom.StartOnAirAsync("live/partner-play", seconds: 60);
        var (stationId, shareId) = await ShareAsync(onAir.RundownId, expiresAt: null);
        var links = await LinksAsync(shareId);
        var program = links.GetProperty("program");
        Assert.Equal(onAir.ProgramPath, program.GetProperty("stream").GetString());
        Assert.Contains(links.GetProperty("feeds").EnumerateArray(), f => f.GetProperty("stream").GetString() == onAir.FeedPath);

        var files = new Dictionary<string, string>
        {
            ["hls"] = _files.File("partner.ts"),
            ["rtmp"] = _files.File("partner-rtmp.flv"),
            ["httpFlv"] = _files.File("partner-http.flv"),
        };
        var players = files.Select(f => Ffmpeg.Record(Link(program, f.Key), f.Value, seconds: 3)).ToList();
        try
        {
            foreach (var player in players)
            {
                Assert.True(await player.WaitForExitAsync(s_timeout) == 0, player.AllOutput);
            }
        }
        finally
        {
            foreach (var player in players)
            {
                await player.DisposeAsync();
            }
        }

        foreach (var file in files.Values)
        {
            var probe = await Ffmpeg.ProbeAsync(file);
            Assert.Equal("h264", probe.Video.GetProperty("codec_name").GetString());
            Assert.Equal(640, probe.Video.GetProperty("width").GetInt32());
            Assert.True(ProbeResult.Packets(probe.Video) >= 50, $"{file}: {ProbeResult.Packets(probe.Video)} video frames");
            Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());
            Assert.True(ProbeResult.Packets(probe.Audio) >= 80, $"{file}: {ProbeResult.Packets(probe.Audio)} audio frames");
        }

        // The RTMP and HTTP-FLV pulls have ended (the players hung up): start, end and bytes. The HLS
        // pull is still open (it ends after a quiet spell) but is logged from its first request.
        var pulls = await _newsroom.WaitForPullsAsync(
            $"stationId={stationId}",
            p => p.Any(r => Protocol(r) == "rtmp" && Ended(r)) && p.Any(r => Protocol(r) == "flv" && Ended(r)) && p.Any(r => Protocol(r) == "hls"),
            "ended RTMP and HTTP-FLV pulls and an HLS pull");
        Assert.Equal(3, pulls.Count);
        foreach (var protocol in new[] { "rtmp", "flv" })
        {
            var pull = pulls.Single(r => Protocol(r) == protocol);
            AssertPull(pull, stationId, shareId, onAir.ProgramPath);
            Assert.True(pull.GetProperty("bytes").GetInt64() > 100_000, pull.ToString());
            Assert.Equal(JsonValueKind.Null, pull.GetProperty("refusal").ValueKind);
        }

        var hlsPull = pulls.Single(r => Protocol(r) == "hls");
        Assert.Equal(onAir.ProgramPath, hlsPull.GetProperty("streamPath").GetString());
        Assert.StartsWith("127.0.0.1", hlsPull.GetProperty("remoteAddress").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, hlsPull.GetProperty("refusal").ValueKind);
    }

    [Fact]
    public async Task ShareLinks_ForgedSignature_RefusedOnHlsRtmpAndSrtAndLogged()
    {
        await using var onAir = await _newsroom.StartOnAirAsync("live/partner-forged", seconds: 60);
        var (_, shareId) = await ShareAsync(onAir.RundownId, expiresAt: null);
        var program = (await LinksAsync(shareId)).GetProperty("program");

        using var hls = await _server.Http.GetAsync(Forge(Link(program, "hls")));
        Assert.Equal(HttpStatusCode.Forbidden, hls.StatusCode);
        Assert.Contains("forged", await hls.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await using var rtmp = Ffmpeg.Record(Forge(Link(program, "rtmp")), _files.File("forged.flv"), seconds: 3);
        Assert.NotEqual(0, await rtmp.WaitForExitAsync(s_timeout));
        Assert.Contains("Not allowed to play", rtmp.AllOutput, StringComparison.Ordinal);

        await using var srt = Ffmpeg.Record(Forge(Link(program, "srt")), _files.File("forged.ts"), seconds: 3);
        Assert.NotEqual(0, await srt.WaitForExitAsync(s_timeout));

        // A forged token names no station it can be trusted for: the refusals are logged under the stream.
        var refusals = await _newsroom.WaitForPullsAsync(
            $"stream={onAir.ProgramPath}",
            p => new[] { "hls", "rtmp", "srt" }.All(protocol => p.Any(r => Protocol(r) == protocol && IsRefusal(r, "forged"))),
            "forged refusals over HLS, RTMP and SRT");
        Assert.All(refusals, r => Assert.Equal("", r.GetProperty("stationId").GetString()));
        Assert.All(refusals, r => Assert.Equal(0, r.GetProperty("bytes").GetInt64()));

        // The genuine link still plays.
        using var genuine = await _server.Http.GetAsync(Link(program, "hls"));
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
    }

    [Fact]
    public async Task ShareLinks_ShareExpires_WorkBeforeAndAreRefusedAfterAndPullInProgressEnds()
    {
        await using var onAir = await _newsroom.StartOnAirAsync("live/partner-expiring", seconds: 60);
        var (stationId, shareId) = await ShareAsync(onAir.RundownId, expiresAt: DateTimeOffset.UtcNow.AddSeconds(8));
        var program = (await LinksAsync(shareId)).GetProperty("program");
        var mark = _server.Process.Mark();

        using (var before = await _server.Http.GetAsync(Link(program, "hls")))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            Assert.Contains("#EXTM3U", await before.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await using var rtmp = Ffmpeg.Record(Link(program, "rtmp"), _files.File("expiring.flv"), LongPullSeconds);
        await _server.Process.WaitForOutputAsync($"Pull by station {stationId}: {onAir.ProgramPath} over rtmp", s_timeout, mark);

        var (status, refusal) = await PollUntilRefusedAsync(Link(program, "hls"));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("expired", refusal, StringComparison.Ordinal);
        await rtmp.WaitForExitAsync(s_timeout);
        var pulls = await _newsroom.WaitForPullsAsync(
            $"stationId={stationId}",
            p => p.Any(r => Protocol(r) == "hls" && IsRefusal(r, "expired")) && p.Any(r => Protocol(r) == "rtmp" && Ended(r)),
            "an expiry refusal over HLS and the RTMP pull ended");
        var ended = pulls.Single(r => Protocol(r) == "rtmp");
        AssertPull(ended, stationId, shareId, onAir.ProgramPath);
        Assert.True(ended.GetProperty("bytes").GetInt64() > 0, ended.ToString());
        Assert.Contains("expired", ended.GetProperty("refusal").GetString(), StringComparison.Ordinal);
        var refused = pulls.First(r => Protocol(r) == "hls" && IsRefusal(r, "expired"));
        Assert.Equal(refused.GetProperty("startedAt").GetDateTimeOffset(), refused.GetProperty("endedAt").GetDateTimeOffset());
        Assert.Equal(onAir.ProgramPath, refused.GetProperty("streamPath").GetString());
    }

    [Fact]
    public async Task RevokeShare_PullsInProgress_EndOnRtmpSrtAndHlsAndPullLogRecordsThem()
    {
        await using var onAir = await _newsroom.StartOnAirAsync("live/partner-revoked", seconds: 60);
        var (stationId, shareId) = await ShareAsync(onAir.RundownId, expiresAt: null);
        var program = (await LinksAsync(shareId)).GetProperty("program");
        var rtmpFile = _files.File("revoked.flv");
        var srtFile = _files.File("revoked.ts");
        await using var rtmp = Ffmpeg.Record(Link(program, "rtmp"), rtmpFile, LongPullSeconds);
        await using var srt = Ffmpeg.Record(Link(program, "srt"), srtFile, LongPullSeconds);
        await using var hls = Ffmpeg.Record(Link(program, "hls"), _files.File("revoked-hls.ts"), seconds: 2);
        await Task.WhenAll(rtmp.WaitForOutputAsync("Output #0", s_timeout), srt.WaitForOutputAsync("Output #0", s_timeout));
        Assert.True(await hls.WaitForExitAsync(s_timeout) == 0, hls.AllOutput);
        await _newsroom.WaitForMediaAsync(onAir.ProgramPath, 1);

        var (status, revoked) = await _server.AdminAsync(HttpMethod.Delete, $"/api/shares/{shareId}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(JsonValueKind.String, revoked.GetProperty("revokedAt").ValueKind);
        await rtmp.WaitForExitAsync(s_timeout);
        await srt.WaitForExitAsync(s_timeout);
        Assert.True(ProbeResult.Packets((await Ffmpeg.ProbeAsync(rtmpFile)).Video) > 0, "the RTMP pull played before it was cut off");
        Assert.True(ProbeResult.Packets((await Ffmpeg.ProbeAsync(srtFile)).Video) > 0, "the SRT pull played before it was cut off");
        using (var after = await _server.Http.GetAsync(Link(program, "hls")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
            Assert.Contains("revoked", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var (linksStatus, _) = await _server.AdminAsync(HttpMethod.Get, $"/api/shares/{shareId}/links");
        Assert.Equal(HttpStatusCode.Conflict, linksStatus);

        var pulls = await _newsroom.WaitForPullsAsync(
            $"stationId={stationId}",
            p => new[] { "rtmp", "srt", "hls" }.All(protocol => p.Any(r => Protocol(r) == protocol && Ended(r) && r.GetProperty("bytes").GetInt64() > 0))
                && p.Any(r => Protocol(r) == "hls" && r.GetProperty("bytes").GetInt64() == 0 && IsRefusal(r, "revoked")),
            "ended RTMP, SRT and HLS pulls with bytes, and a refused HLS request");
        foreach (var protocol in new[] { "rtmp", "srt", "hls" })
        {
            var pull = pulls.Single(r => Protocol(r) == protocol && r.GetProperty("bytes").GetInt64() > 0);
            AssertPull(pull, stationId, shareId, onAir.ProgramPath);
            Assert.Contains("revoked", pull.GetProperty("refusal").GetString(), StringComparison.Ordinal);
        }
    }

    private async Task<(string StationId, string ShareId)> ShareAsync(string rundownId, DateTimeOffset? expiresAt)
    {
        var code = $"p-{Guid.NewGuid():N}"[..14];
        var (stationStatus, station) = await _server.AdminAsync(HttpMethod.Post, "/api/stations", new { name = $"Partner {code}", code });
        Assert.True(stationStatus == HttpStatusCode.Created, station.ToString());
        var stationId = station.GetProperty("id").GetString()!;
        var (shareStatus, share) = await _server.AdminAsync(HttpMethod.Post, "/api/shares", new { kind = "rundown", targetId = rundownId, stationId, expiresAt });
        Assert.True(shareStatus == HttpStatusCode.Created, share.ToString());
        Assert.Equal(stationId, share.GetProperty("stationId").GetString());
        return (stationId, share.GetProperty("id").GetString()!);
    }

    private async Task<JsonElement> LinksAsync(string shareId)
    {
        var (status, links) = await _server.AdminAsync(HttpMethod.Get, $"/api/shares/{shareId}/links");
        Assert.True(status == HttpStatusCode.OK, links.ToString());
        return links;
    }

    /// <summary>Requests the link every 250 ms until it is refused (30 s at most); returns the answer.</summary>
    private async Task<(HttpStatusCode Status, string Body)> PollUntilRefusedAsync(string url)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await _server.Http.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK || deadline.IsCancellationRequested)
            {
                return (response.StatusCode, body);
            }

            try
            {
                await Task.Delay(250, deadline.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static string Link(JsonElement links, string protocol)
    {
        var link = links.GetProperty(protocol).GetString()!;
        Assert.Contains("token=", link, StringComparison.Ordinal);
        return link;
    }

    /// <summary>The link with one character of the token's signature changed.</summary>
    private static string Forge(string link)
    {
        var dot = link.LastIndexOf('.');
        var at = dot + 10;
        var original = link[at];
        return string.Concat(link.AsSpan(0, at), original == 'A' ? "B" : "A", link.AsSpan(at + 1));
    }

    private static string? Protocol(JsonElement pull) => NewsroomDriver.Text(pull, "protocol");

    private static bool Ended(JsonElement pull) => pull.GetProperty("endedAt").ValueKind == JsonValueKind.String;

    private static bool IsRefusal(JsonElement pull, string reason) =>
        NewsroomDriver.Text(pull, "refusal") is { } refusal && refusal.Contains(reason, StringComparison.Ordinal);

    private static void AssertPull(JsonElement pull, string stationId, string shareId, string streamPath)
    {
        Assert.Equal(stationId, pull.GetProperty("stationId").GetString());
        Assert.Equal(shareId, pull.GetProperty("shareId").GetString());
        Assert.Equal(streamPath, pull.GetProperty("streamPath").GetString());
        Assert.StartsWith("127.0.0.1", pull.GetProperty("remoteAddress").GetString(), StringComparison.Ordinal);
        var started = pull.GetProperty("startedAt").GetDateTimeOffset();
        var ended = pull.GetProperty("endedAt").GetDateTimeOffset();
        Assert.True(ended >= started, $"ended {ended:O} before it started {started:O}");
    }
}
