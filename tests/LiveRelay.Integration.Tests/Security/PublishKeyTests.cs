using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LiveRelay.Integration.Tests.Infrastructure;
using LiveRelay.Integration.Tests.WebRtc;
using LiveRelay.Protocols.Srt;

namespace LiveRelay.Integration.Tests.Security;

/// <summary>
/// A server as installed: anonymous publishing and play off (the defaults, said explicitly here because
/// the test harness opens them for the media tests). Feeds' keys on RTMP, SRT and WHIP with real ffmpeg
/// publishers and a real libsrt caller; the first start's default feed; rotate, revoke and takeover;
/// per-feed SRT passphrases.
/// </summary>
public sealed partial class PublishKeyTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private ServerProcess? _server;

    private ServerProcess Server => _server!;

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartAsync(
            $"--LiveRelay:Auth:AdminToken={ServerProcess.TestAdminToken}",
            "--LiveRelay:Auth:AllowAnonymousPublish=false",
            "--LiveRelay:Auth:AllowAnonymousPlay=false",
            "--LiveRelay:Publish:ReconnectGraceSeconds=5");

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task FirstStart_LogsTheDefaultFeedOnce_AndObsServerPlusStreamKeyPublishes()
    {
        await Server.Process.WaitForOutputAsync("First start: made the feed", s_timeout);
        var match = ObsKey().Match(Server.Log);
        Assert.True(match.Success, ExternalProcess.Tail(Server.Log));
        var key = match.Groups["key"].Value;
        Assert.DoesNotContain("Anonymous publishing is ON", Server.Log, StringComparison.Ordinal);
        var (_, feeds) = await Server.AdminAsync(HttpMethod.Get, "/api/feeds");
        var feed = feeds.EnumerateArray().Single(f => f.GetProperty("path").GetString() == "live/main");
        Assert.Equal(key, feed.GetProperty("publishKey").GetString());

        // OBS: Server rtmp://host:port/live, Stream Key main?key=… (ffmpeg sends the same connect and publish).
        await using var publisher = Ffmpeg.Publish(Server.RtmpUrl($"live/main?key={key}"), seconds: 30);
        var stream = await Server.WaitForStreamAsync("live/main", s => s.GetProperty("framesIn").GetInt64() > 25, s_timeout);
        Assert.Equal("rtmp", stream.GetProperty("publisher").GetProperty("protocol").GetString());

        // Shown once: a restart of the same install does not make or print it again.
        var restarted = await Server.RestartAsync(() => Task.CompletedTask);
        _server = restarted;
        await restarted.Process.WaitForOutputAsync("Newsroom store ready", s_timeout);
        Assert.DoesNotContain("First start", restarted.Log, StringComparison.Ordinal);
        var (_, after) = await restarted.AdminAsync(HttpMethod.Get, "/api/feeds");
        Assert.Single(after.EnumerateArray(), f => f.GetProperty("path").GetString() == "live/main");
    }

    [Fact]
    public async Task Rtmp_WrongMissingOrNoFeed_IsRefusedWithTheReason_AndTheKeyPublishes()
    {
        var path = NewPath("rtmp");
        var feed = await CreateFeedAsync(path, publishKey: "reporter-key-0001");

        await AssertRtmpRefusedAsync($"{path}?key=not-the-key-000", $"wrong publish key for {path}");
        await AssertRtmpRefusedAsync(path, $"{path} needs its publish key");
        var unclaimed = NewPath("nobody");
        await AssertRtmpRefusedAsync(unclaimed, $"no feed is registered at {unclaimed}");

        // The key may also sit on the app (rtmp://host/live?key=…), as some encoders only have a URL field.
        var app = path[..path.IndexOf('/', StringComparison.Ordinal)];
        var name = path[(path.IndexOf('/', StringComparison.Ordinal) + 1)..];
        await using var publisher = Ffmpeg.Publish($"rtmp://127.0.0.1:{Server.RtmpPort}/{app}?key=reporter-key-0001/{name}", seconds: 20);
        await Server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 25, s_timeout);
        Assert.Equal("reporter-key-0001", feed.GetProperty("publishKey").GetString());
        var metrics = await Server.Http.GetStringAsync("/metrics");
        Assert.Contains("liverelay_publish_refused_total{protocol=\"rtmp\",reason=\"Unauthorized\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rtmp_BareKeyAsTheStreamName_PublishesItsFeed()
    {
        var path = $"news/bare-{Guid.NewGuid():N}"[..20];
        var key = (await CreateFeedAsync(path)).GetProperty("publishKey").GetString()!;

        // OBS: Server rtmp://HOST/live, Stream Key KEY (what streaming platforms hand out).
        await using var publisher = Ffmpeg.Publish(Server.RtmpUrl($"live/{key}"), seconds: 20);

        await Server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 25, s_timeout);
        Assert.Null(await Server.FindStreamAsync($"live/{key}"));
        Assert.DoesNotContain($"Publishing live/{key}", Server.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Srt_KeyInTheStreamId_Publishes_AndAWrongKeyGets1401()
    {
        var path = NewPath("srt");
        var key = (await CreateFeedAsync(path)).GetProperty("publishKey").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", key);

        Assert.Equal(SrtRejectReason.Unauthorized, await SrtRejectAsync($"#!::r={path},m=publish,key=wrong-key-123456"));
        Assert.Equal(SrtRejectReason.Unauthorized, await SrtRejectAsync($"publish:{path}"));
        await Server.Process.WaitForOutputAsync($"wrong publish key for {path}", s_timeout);

        await using var publisher = Ffmpeg.Publish(Server.SrtUrl($"#!::r={path},m=publish,key={key}"), seconds: 20, format: "mpegts");
        var stream = await Server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 25, s_timeout);
        Assert.Equal("srt", stream.GetProperty("publisher").GetProperty("protocol").GetString());
    }

    [Fact]
    public async Task Srt_TheSessionKeyTheQueryFormAndALoneUserFieldCarryTheKeyToo()
    {
        var path = NewPath("srt-s");
        var key = (await CreateFeedAsync(path)).GetProperty("publishKey").GetString()!;

        await using (var bySession = Ffmpeg.Publish(Server.SrtUrl($"#!::r={path},m=publish,u=reporter,s={key}"), seconds: 30, format: "mpegts"))
        {
            await Server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 10, s_timeout);
        }

        var other = NewPath("srt-q");
        var otherKey = (await CreateFeedAsync(other)).GetProperty("publishKey").GetString()!;
        await using (var byQuery = Ffmpeg.Publish(Server.SrtUrl($"publish:{other}?key={otherKey}"), seconds: 30, format: "mpegts"))
        {
            await Server.WaitForStreamAsync(other, s => s.GetProperty("framesIn").GetInt64() > 10, s_timeout);
        }

        var third = NewPath("srt-u");
        var thirdKey = (await CreateFeedAsync(third)).GetProperty("publishKey").GetString()!;
        await using var byUser = Ffmpeg.Publish(Server.SrtUrl($"#!::r={third},m=publish,u={thirdKey}"), seconds: 20, format: "mpegts");
        await Server.WaitForStreamAsync(third, s => s.GetProperty("framesIn").GetInt64() > 10, s_timeout);
    }

    [Fact]
    public async Task Whip_BearerIsThePublishKey_401WithoutIt()
    {
        var path = NewPath("whip");
        var key = (await CreateFeedAsync(path)).GetProperty("publishKey").GetString()!;

        using (var none = await WhipAsync(path, bearer: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Contains("needs its publish key", await none.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var wrong = await WhipAsync(path, bearer: "wrong-key-9999"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Contains("wrong publish key", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var right = await WhipAsync(path, bearer: key);
        Assert.Equal(HttpStatusCode.Created, right.StatusCode);
        using var deleted = await Server.Http.DeleteAsync(right.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
    }

    [Fact]
    public async Task RotateThenRevoke_OldKeyStops_LiveSessionCarriesOnUntilRevoked()
    {
        var path = NewPath("rotate");
        var feed = await CreateFeedAsync(path);
        var id = feed.GetProperty("id").GetString()!;
        var oldKey = feed.GetProperty("publishKey").GetString()!;
        await using var publisher = Ffmpeg.Publish(Server.RtmpUrl($"{path}?key={oldKey}"), seconds: 120);
        await Server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 25, s_timeout);

        var (rotated, body) = await Server.AdminAsync(HttpMethod.Post, $"/api/feeds/{id}/key");
        Assert.Equal(HttpStatusCode.OK, rotated);
        var newKey = body.GetProperty("publishKey").GetString()!;
        Assert.NotEqual(oldKey, newKey);
        var (chosen, chosenBody) = await Server.AdminAsync(HttpMethod.Post, $"/api/feeds/{id}/key", new { publishKey = "chosen-key-2026" });
        Assert.Equal(HttpStatusCode.OK, chosen);
        Assert.Equal("chosen-key-2026", chosenBody.GetProperty("publishKey").GetString());
        var (badKey, _) = await Server.AdminAsync(HttpMethod.Post, $"/api/feeds/{id}/key", new { publishKey = "a b" });
        Assert.Equal(HttpStatusCode.BadRequest, badKey);

        // The live session carries on after a rotation; the old key no longer gets anyone in.
        var frames = (await Server.FindStreamAsync(path))!.Value.GetProperty("framesIn").GetInt64();
        await Server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > frames + 25, s_timeout);
        var other = NewPath("rotate-other");
        await CreateFeedAsync(other, publishKey: "chosen-key-2026");
        await AssertRtmpRefusedAsync($"{other}?key={oldKey}", $"wrong publish key for {other}");

        // Revoking ends the live session and publishes nothing until a new key is made.
        var mark = Server.Process.Mark();
        var (revoked, revokedBody) = await Server.AdminAsync(HttpMethod.Delete, $"/api/feeds/{id}/key");
        Assert.Equal(HttpStatusCode.OK, revoked);
        Assert.Equal(JsonValueKind.Null, revokedBody.GetProperty("publishKey").ValueKind);
        Assert.NotEqual(0, await publisher.WaitForExitAsync(s_timeout));
        await Server.Process.WaitForOutputAsync($"Publisher of {path} closed by the server: the feed's publish key was revoked", s_timeout, mark);
        await AssertRtmpRefusedAsync($"{path}?key=chosen-key-2026", "was revoked");
        var (missing, _) = await Server.AdminAsync(HttpMethod.Delete, "/api/feeds/no-such-feed/key");
        Assert.Equal(HttpStatusCode.NotFound, missing);
    }

    [Fact]
    public async Task SecondPublisher_IsRefused_UnlessTheFeedTakesOver()
    {
        var path = NewPath("locked");
        var key = (await CreateFeedAsync(path)).GetProperty("publishKey").GetString()!;
        await using var first = Ffmpeg.Publish(Server.RtmpUrl($"{path}?key={key}"), seconds: 60);
        await Server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 10, s_timeout);
        await AssertRtmpRefusedAsync($"{path}?key={key}", "already being published");

        // A phone back through a new network: the feed takes over, the stale session is closed, the stream carries on.
        var phone = NewPath("phone");
        var phoneFeed = await CreateFeedAsync(phone);
        var (patched, patchedBody) = await Server.AdminAsync(HttpMethod.Patch, $"/api/feeds/{phoneFeed.GetProperty("id").GetString()}", new { takeover = true });
        Assert.Equal(HttpStatusCode.OK, patched);
        Assert.True(patchedBody.GetProperty("takeover").GetBoolean());
        var phoneKey = phoneFeed.GetProperty("publishKey").GetString()!;
        await using var stale = Ffmpeg.Publish(Server.RtmpUrl($"{phone}?key={phoneKey}"), seconds: 120);
        var before = await Server.WaitForStreamAsync(phone, s => s.GetProperty("framesIn").GetInt64() > 10, s_timeout);
        var firstRemote = before.GetProperty("publisher").GetProperty("remoteAddress").GetString();

        await using var fresh = Ffmpeg.Publish(Server.SrtUrl($"#!::r={phone},m=publish,key={phoneKey}"), seconds: 60, format: "mpegts");
        Assert.NotEqual(0, await stale.WaitForExitAsync(s_timeout));
        var after = await Server.WaitForStreamAsync(phone, s => s.GetProperty("publisher").GetProperty("protocol").GetString() == "srt", s_timeout);
        Assert.NotEqual(firstRemote, after.GetProperty("publisher").GetProperty("remoteAddress").GetString());
        var frames = after.GetProperty("framesIn").GetInt64();
        await Server.WaitForStreamAsync(phone, s => s.GetProperty("framesIn").GetInt64() > frames + 25, s_timeout);
        Assert.Contains($"Publisher of {phone} closed by the server: taken over by a new publisher", Server.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhipTakeover_EndsTheStaleSession_WithoutTakeoverTheSecondIs409()
    {
        var path = NewPath("whip-phone");
        var feed = await CreateFeedAsync(path);
        var key = feed.GetProperty("publishKey").GetString()!;
        using var first = await WhipAsync(path, key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using (var refused = await WhipAsync(path, key))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        }

        var (patched, _) = await Server.AdminAsync(HttpMethod.Patch, $"/api/feeds/{feed.GetProperty("id").GetString()}", new { takeover = true });
        Assert.Equal(HttpStatusCode.OK, patched);
        var mark = Server.Process.Mark();
        using var second = await WhipAsync(path, key);

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        await Server.Process.WaitForOutputAsync($"WHIP publish of {path} ended (session {first.Headers.Location!.OriginalString.Split('/')[^1]}): taken over by a new publisher", s_timeout, mark);
        using var staleDelete = await Server.Http.DeleteAsync(first.Headers.Location);
        Assert.Equal(HttpStatusCode.NotFound, staleDelete.StatusCode);
        using var freshDelete = await Server.Http.DeleteAsync(second.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, freshDelete.StatusCode);
    }

    [Fact]
    public async Task FeedWithItsOwnSrtPassphrase_NeedsIt_OthersDoNot()
    {
        const string Passphrase = "feed-secret-passphrase";
        var path = NewPath("crypt");
        var feed = await CreateFeedAsync(path, srtPassphrase: Passphrase);
        var key = feed.GetProperty("publishKey").GetString()!;
        Assert.Equal(Passphrase, feed.GetProperty("srtPassphrase").GetString());

        Assert.Equal(SrtRejectReason.Unsecure, await SrtRejectAsync($"#!::r={path},m=publish,key={key}"));
        Assert.Equal(SrtRejectReason.BadSecret, await SrtRejectAsync($"#!::r={path},m=publish,key={key}", passphrase: "not-the-passphrase"));
        var (bad, _) = await Server.AdminAsync(HttpMethod.Post, "/api/feeds", new { name = "Short", path = NewPath("short"), srtPassphrase = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, bad);

        await using var publisher = Ffmpeg.Publish(Server.SrtUrl($"#!::r={path},m=publish,key={key}&passphrase={Passphrase}"), seconds: 20, format: "mpegts");
        await Server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 25, s_timeout);
    }

    private async Task<JsonElement> CreateFeedAsync(string path, string? publishKey = null, string? srtPassphrase = null)
    {
        var (status, feed) = await Server.AdminAsync(HttpMethod.Post, "/api/feeds", new { name = $"Feed {path}", path, publishKey, srtPassphrase });
        Assert.True(status == HttpStatusCode.Created, feed.ToString());
        return feed;
    }

    private async Task AssertRtmpRefusedAsync(string pathAndQuery, string reason)
    {
        var mark = Server.Process.Mark();
        await using var publisher = Ffmpeg.Publish(Server.RtmpUrl(pathAndQuery), seconds: 5);
        Assert.NotEqual(0, await publisher.WaitForExitAsync(s_timeout));
        Assert.Contains(reason, publisher.AllOutput, StringComparison.Ordinal);
        await Server.Process.WaitForOutputAsync(reason, s_timeout, mark);
    }

    private async Task<int> SrtRejectAsync(string streamId, string? passphrase = null)
    {
        using var caller = SrtSocket.Create();
        caller.SetStreamId(streamId);
        caller.SetConnectTimeout(5000);
        if (passphrase is not null)
        {
            caller.SetPassphrase(passphrase);
        }

        await Assert.ThrowsAsync<SrtException>(() => Task.Run(() => caller.Connect(new IPEndPoint(IPAddress.Loopback, Server.SrtPort))));
        return caller.RejectReason;
    }

    private async Task<HttpResponseMessage> WhipAsync(string path, string? bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/whip/{path}")
        {
            Content = new StringContent(Offers.H264AndOpus, Encoding.UTF8, "application/sdp"),
        };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await Server.Http.SendAsync(request);
    }

    private static string NewPath(string prefix) => $"live/{prefix}-{Guid.NewGuid():N}"[..28];

    [GeneratedRegex(@"Stream Key main\?key=(?<key>[0-9a-f]{32})")]
    private static partial Regex ObsKey();
}
