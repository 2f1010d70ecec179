using System.Net;
using System.Text;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;
using LiveRelay.Integration.Tests.WebRtc;
using LiveRelay.Newsroom.Access;
using LiveRelay.Protocols.Srt;

namespace LiveRelay.Integration.Tests.Security;

/// <summary>
/// Anonymous play off (the default): every egress (HLS, HTTP-FLV, RTMP, SRT, WHEP) refuses a play with
/// no token, an expired one, a forged one and one replayed on another stream, and plays with a share's
/// link; paths named in <c>OpenPlay</c> play without one. Tokens are minted here with the server's
/// configured secret where the API cannot hand them out (expired ones).
/// </summary>
public sealed class PlayTokenTests : IAsyncLifetime
{
    private const string Secret = "integration-play-token-secret-2026-12";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly TempFiles _files = new();
    private ServerProcess? _server;
    private ExternalProcess? _publisher;
    private ExternalProcess? _openPublisher;
    private string _path = "";
    private string _feedId = "";

    private ServerProcess Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartAsync(
            $"--LiveRelay:Auth:AdminToken={ServerProcess.TestAdminToken}",
            $"--LiveRelay:Auth:TokenSecret={Secret}",
            "--LiveRelay:Auth:AllowAnonymousPlay=false",
            "--LiveRelay:Auth:OpenPlay:0=open/*");
        _path = $"live/tokens-{Guid.NewGuid():N}"[..24];
        var (status, feed) = await Server.AdminAsync(HttpMethod.Post, "/api/feeds", new { name = "Shared camera", path = _path });
        Assert.True(status == HttpStatusCode.Created, feed.ToString());
        _feedId = feed.GetProperty("id").GetString()!;
        _publisher = Ffmpeg.Publish(Server.RtmpUrl($"{_path}?key={feed.GetProperty("publishKey").GetString()}"), seconds: 120);
        _openPublisher = Ffmpeg.Publish(Server.RtmpUrl("open/lobby"), seconds: 120);
        await Server.WaitForStreamAsync(_path, s => s.GetProperty("framesIn").GetInt64() > 50, s_timeout);
        await Server.WaitForStreamAsync("open/lobby", s => s.GetProperty("framesIn").GetInt64() > 50, s_timeout);
    }

    public async Task DisposeAsync()
    {
        foreach (var process in new[] { _publisher, _openPublisher })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _files.Dispose();
    }

    [Fact]
    public async Task NoToken_IsRefusedOnEveryEgress_ButAnOpenPathPlays()
    {
        Assert.Contains("needs a play token", await RefusedHttpAsync($"/{_path}/index.m3u8"), StringComparison.Ordinal);
        Assert.Contains("needs a play token", await RefusedHttpAsync($"/{_path}.flv"), StringComparison.Ordinal);
        await AssertRtmpPlayRefusedAsync(Server.RtmpUrl(_path), "needs a play token");
        Assert.Equal(SrtRejectReason.Forbidden, await SrtReadRejectAsync($"#!::r={_path},m=request"));
        Assert.Contains("needs a play token", await RefusedWhepAsync($"/whep/{_path}"), StringComparison.Ordinal);

        using var open = await Server.Http.GetAsync("/open/lobby/index.m3u8");
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Contains("Anonymous", Server.Log, StringComparison.Ordinal);
        var metrics = await Server.Http.GetStringAsync("/metrics");
        Assert.Contains("liverelay_play_refused_total{protocol=\"hls\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredForgedAndReplayedTokens_AreRefusedOnEveryEgress()
    {
        var tokens = new PlayTokens(PlayTokens.KeyFrom(Secret));
        var expired = tokens.Issue(new PlayTokenClaims("station", _path, "share", DateTimeOffset.UtcNow.AddMinutes(-1)));
        var good = await ShareLinkTokenAsync();
        var forged = good[..^4] + (good[^4..] == "AAAA" ? "BBBB" : "AAAA");
        var replayed = tokens.Issue(new PlayTokenClaims("station", "open/lobby", "share", DateTimeOffset.UtcNow.AddHours(1)));

        foreach (var (token, reason) in new[] { (expired, "expired"), (forged, "forged"), (replayed, "the token is for open/lobby") })
        {
            var query = $"?token={Uri.EscapeDataString(token)}";
            Assert.Contains(reason, await RefusedHttpAsync($"/{_path}/index.m3u8{query}"), StringComparison.Ordinal);
            Assert.Contains(reason, await RefusedHttpAsync($"/{_path}.flv{query}"), StringComparison.Ordinal);
            await AssertRtmpPlayRefusedAsync(Server.RtmpUrl(_path + query), reason);
            Assert.Equal(SrtRejectReason.Forbidden, await SrtReadRejectAsync($"read:{_path}{query}"));
            Assert.Contains(reason, await RefusedWhepAsync($"/whep/{_path}{query}"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AShareLink_PlaysOverHlsRtmpAndSrt()
    {
        var (_, links) = await ShareLinksAsync();
        var feed = links.GetProperty("feeds")[0];
        Assert.Contains("/whep/", feed.GetProperty("whep").GetString(), StringComparison.Ordinal);
        foreach (var protocol in new[] { "hls", "rtmp", "srt" })
        {
            var file = _files.File($"{protocol}.ts");
            await using var player = Ffmpeg.Record(feed.GetProperty(protocol).GetString()!, file, seconds: 2);
            Assert.True(await player.WaitForExitAsync(s_timeout) == 0, player.AllOutput);
            Assert.True(ProbeResult.Packets((await Ffmpeg.ProbeAsync(file)).Video) > 10, protocol);
        }
    }

    private async Task<string> ShareLinkTokenAsync()
    {
        var (_, links) = await ShareLinksAsync();
        var hls = links.GetProperty("feeds")[0].GetProperty("hls").GetString()!;
        return Uri.UnescapeDataString(hls[(hls.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
    }

    private async Task<(string ShareId, JsonElement Links)> ShareLinksAsync()
    {
        var code = $"p-{Guid.NewGuid():N}"[..14];
        var (_, station) = await Server.AdminAsync(HttpMethod.Post, "/api/stations", new { name = $"Partner {code}", code });
        var (shareStatus, share) = await Server.AdminAsync(HttpMethod.Post, "/api/shares", new { kind = "feed", targetId = _feedId, stationId = station.GetProperty("id").GetString() });
        Assert.True(shareStatus == HttpStatusCode.Created, share.ToString());
        var id = share.GetProperty("id").GetString()!;
        var (status, links) = await Server.AdminAsync(HttpMethod.Get, $"/api/shares/{id}/links");
        Assert.True(status == HttpStatusCode.OK, links.ToString());
        return (id, links);
    }

    private async Task<string> RefusedHttpAsync(string url)
    {
        using var response = await Server.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<string> RefusedWhepAsync(string url)
    {
        using var content = new StringContent(Offers.H264AndOpus, Encoding.UTF8, "application/sdp");
        using var response = await Server.Http.PostAsync(url, content);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task AssertRtmpPlayRefusedAsync(string url, string reason)
    {
        var (exitCode, output) = await ExternalProcess.RunAsync("ffmpeg", ["-hide_banner", "-nostats", "-i", url, "-t", "1", "-f", "null", "-"], s_timeout);
        Assert.NotEqual(0, exitCode);
        Assert.Contains(reason, output, StringComparison.Ordinal);
    }

    private async Task<int> SrtReadRejectAsync(string streamId)
    {
        using var caller = SrtSocket.Create();
        caller.SetStreamId(streamId);
        caller.SetConnectTimeout(5000);
        await Assert.ThrowsAsync<SrtException>(() => Task.Run(() => caller.Connect(new IPEndPoint(IPAddress.Loopback, Server.SrtPort))));
        return caller.RejectReason;
    }
}
