using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Control;

/// <summary>
/// The control hub over a real connection: the <c>@microsoft/signalr</c> JavaScript client under node,
/// against the shared server, with ffmpeg publishing the feeds.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ControlHubTests(ServerFixture fixture)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private readonly ServerProcess _server = fixture.Server;
    private readonly ControlAccounts _accounts = new(fixture.Server);

    [Theory]
    [InlineData(null)]
    [InlineData("forged-token-that-the-server-never-issued")]
    public async Task Connect_WithoutValidToken_IsRefusedWith401(string? token)
    {
        var (client, state) = await NodeHubClient.ConnectAsync(_server, token);
        await using var _ = client;

        Assert.Equal("failed", state.GetProperty("state").GetString());
        Assert.Equal(401, state.GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task Negotiate_WithoutSignIn_Is401_AndLoginWithWrongPasswordIs401()
    {
        using var http = _accounts.NewClient();
        using var negotiate = await http.PostAsync("/hubs/control/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);

        var (username, _) = await _accounts.CreateUserAsync(null);
        using var login = await http.PostAsJsonAsync("/api/auth/login", new { username, password = "not the password" });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Contains("wrong username or password", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task FeedPublished_OnlineHealthThumbnailAndMeterArrive_ThenOfflineWithAlert()
    {
        var (_, token) = await _accounts.CreateUserAsync(null);
        await using var hub = await _accounts.ConnectAsync(token);
        var path = $"live/hub-{Guid.NewGuid():N}"[..24];

        await using var publisher = Ffmpeg.Publish(_server.RtmpUrl(path), 60);
        var online = await hub.WaitForEventAsync("feedOnline", f => Text(f, "path") == path, s_wait, path);
        Assert.True(online.GetProperty("online").GetBoolean());
        Assert.Equal("rtmp", Text(online, "protocol"));

        // Health once a second; the monitor adds a thumbnail and the tone's level (a 1 kHz sine at ffmpeg's default amplitude: about −18 dBFS).
        var health = await hub.WaitForEventAsync(
            "feedHealth",
            batch => batch.EnumerateArray().Any(h => Text(h, "path") == path
                && h.GetProperty("frameRate").GetDouble() > 20
                && h.GetProperty("thumbnailVersion").GetInt32() > 0
                && h.GetProperty("audioLevelDb").ValueKind == JsonValueKind.Number),
            s_wait,
            "frame rate, a thumbnail and an audio level");
        var feed = health.EnumerateArray().Single(h => Text(h, "path") == path);
        Assert.Equal(640, feed.GetProperty("width").GetInt32());
        Assert.Equal(360, feed.GetProperty("height").GetInt32());
        Assert.InRange(feed.GetProperty("bitrateKbps").GetDouble(), 100, 5000);
        Assert.InRange(feed.GetProperty("keyframeIntervalSeconds").GetDouble(), 0.9, 1.1);
        Assert.InRange(feed.GetProperty("audioLevelDb").GetDouble(), -30, -6);

        // The thumbnail is a JPEG of the picture, for signed-in users only.
        using var http = _accounts.NewClient();
        using (var anonymous = await http.GetAsync($"/api/control/thumbnails/{path}"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/control/thumbnails/{path}");
        request.Headers.Authorization = new("Bearer", token);
        using var thumbnail = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType?.MediaType);
        var jpeg = await thumbnail.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xFF, 0xD8], jpeg[..2]);
        var probe = await ProbeJpegAsync(jpeg);
        Assert.Equal(320, probe.Width);
        Assert.Equal(180, probe.Height);

        publisher.Kill();
        var offline = await hub.WaitForEventAsync("feedOffline", f => Text(f, "path") == path, s_wait, path);
        Assert.False(offline.GetProperty("online").GetBoolean());
        var alert = await hub.WaitForEventAsync("alert", a => Text(a, "path") == path && Text(a, "kind") == "feedLost", s_wait, "feedLost");
        Assert.Equal("critical", Text(alert, "severity"));
        Assert.False(alert.GetProperty("cleared").GetBoolean());
    }

    [Fact]
    public async Task StaleEdit_IsRefusedWithTheCurrentRundown()
    {
        var (_, token) = await _accounts.CreateUserAsync(null);
        await using var hub = await _accounts.ConnectAsync(token);
        var created = await hub.InvokeAsync("CreateRundown", new { title = "Evening news" });
        Assert.True(created.GetProperty("ok").GetBoolean(), created.ToString());
        var rundown = created.GetProperty("rundown");
        var id = Text(rundown, "id")!;
        var version = rundown.GetProperty("version").GetInt64();

        var first = await hub.InvokeAsync("AddItem", id, new { title = "Opening", source = "live/cam1" }, version);
        Assert.True(first.GetProperty("ok").GetBoolean(), first.ToString());

        // A second edit made on the version the first one replaced.
        var stale = await hub.InvokeAsync("AddItem", id, new { title = "Weather", source = "live/cam2" }, version);

        Assert.False(stale.GetProperty("ok").GetBoolean());
        Assert.Contains($"it is at version {version + 1}", Text(stale, "error"));
        var current = stale.GetProperty("rundown");
        Assert.Equal(version + 1, current.GetProperty("version").GetInt64());
        Assert.Equal(["Opening"], current.GetProperty("items").EnumerateArray().Select(i => Text(i, "title")));
    }

    [Fact]
    public async Task TwoDirectors_EditsOfEachReachTheOther_AndBothEndOnTheSameRundown()
    {
        var station = await _accounts.CreateStationAsync("Converge TV");
        var (_, tokenA) = await _accounts.CreateUserAsync(station);
        var (_, tokenB) = await _accounts.CreateUserAsync(station);
        await using var a = await _accounts.ConnectAsync(tokenA);
        await using var b = await _accounts.ConnectAsync(tokenB);

        var created = (await a.InvokeAsync("CreateRundown", new { title = "Joint live" })).GetProperty("rundown");
        var id = Text(created, "id")!;
        Assert.Equal(station, Text(created, "stationId"));
        var afterA = (await a.InvokeAsync("AddItem", id, new { title = "Hangzhou", source = "live/hz" }, created.GetProperty("version").GetInt64())).GetProperty("rundown");
        var seenByB = await b.WaitForEventAsync("rundownChanged", r => Text(r, "id") == id && r.GetProperty("version").GetInt64() == afterA.GetProperty("version").GetInt64(), s_wait, "A's item");
        Assert.Equal("Hangzhou", Text(seenByB.GetProperty("items")[0], "title"));

        var afterB = (await b.InvokeAsync("AddItem", id, new { title = "Ningbo", source = "live/nb", position = 0 }, seenByB.GetProperty("version").GetInt64())).GetProperty("rundown");
        var items = afterB.GetProperty("items").EnumerateArray().Select(i => Text(i, "id")!).ToArray();
        var reordered = await a.InvokeAsync("ReorderItems", id, items.Reverse().ToArray(), afterB.GetProperty("version").GetInt64());
        Assert.True(reordered.GetProperty("ok").GetBoolean(), reordered.ToString());
        var final = reordered.GetProperty("rundown");

        var bFinal = await b.WaitForEventAsync("rundownChanged", r => Text(r, "id") == id && r.GetProperty("version").GetInt64() == final.GetProperty("version").GetInt64(), s_wait, "the reorder");
        Assert.Equal(["Hangzhou", "Ningbo"], bFinal.GetProperty("items").EnumerateArray().Select(i => Text(i, "title")));
        var stateA = await a.InvokeAsync("GetState");
        var stateB = await b.InvokeAsync("GetState");
        Assert.Equal(
            Rundown(stateA, id).GetProperty("items").ToString(),
            Rundown(stateB, id).GetProperty("items").ToString());
        Assert.Equal(final.GetProperty("version").GetInt64(), Rundown(stateB, id).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task OtherStation_DoesNotSeeTheRundown_UntilShared_ThenWatchesButCannotRun()
    {
        var owner = await _accounts.CreateStationAsync("Owner TV");
        var partner = await _accounts.CreateStationAsync("Partner TV");
        var (_, ownerToken) = await _accounts.CreateUserAsync(owner);
        var (_, partnerToken) = await _accounts.CreateUserAsync(partner);
        await using var ownerHub = await _accounts.ConnectAsync(ownerToken);
        await using var partnerHub = await _accounts.ConnectAsync(partnerToken);

        var rundown = (await ownerHub.InvokeAsync("CreateRundown", new { title = "Owner's show" })).GetProperty("rundown");
        var id = Text(rundown, "id")!;
        Assert.DoesNotContain((await partnerHub.InvokeAsync("GetState")).GetProperty("rundowns").EnumerateArray(), r => Text(r, "id") == id);
        var refused = await partnerHub.InvokeAsync("AddItem", id, new { title = "Intrusion", source = "live/x" }, null);
        Assert.False(refused.GetProperty("ok").GetBoolean());
        Assert.Contains("does not exist", Text(refused, "error"));

        var (status, share) = await _server.AdminAsync(HttpMethod.Post, "/api/shares", new { kind = "rundown", targetId = id, stationId = partner });
        Assert.True(status == HttpStatusCode.Created, share.ToString());
        Assert.Contains((await partnerHub.InvokeAsync("GetState")).GetProperty("rundowns").EnumerateArray(), r => Text(r, "id") == id);

        // Changes reach the partner now; its own edits are refused with the reason.
        var changed = (await ownerHub.InvokeAsync("AddItem", id, new { title = "Opening", source = "live/cam1" }, null)).GetProperty("rundown");
        await partnerHub.WaitForEventAsync("rundownChanged", r => Text(r, "id") == id && r.GetProperty("version").GetInt64() == changed.GetProperty("version").GetInt64(), s_wait, "the owner's edit");
        var stillRefused = await partnerHub.InvokeAsync("MarkDone", id, Text(changed.GetProperty("items")[0], "id"), null);
        Assert.False(stillRefused.GetProperty("ok").GetBoolean());
        Assert.Contains("belongs to another station", Text(stillRefused, "error"));
    }

    [Fact]
    public async Task Take_FromTheHub_TallyShowsTheSourceOnProgram()
    {
        var (_, token) = await _accounts.CreateUserAsync(null);
        await using var hub = await _accounts.ConnectAsync(token);
        var path = $"live/take-{Guid.NewGuid():N}"[..24];
        await using var publisher = Ffmpeg.Publish(_server.RtmpUrl(path), 60);
        await hub.WaitForEventAsync("feedOnline", f => Text(f, "path") == path, s_wait, path);

        var rundown = (await hub.InvokeAsync("CreateRundown", new { title = "Take test" })).GetProperty("rundown");
        var id = Text(rundown, "id")!;
        var previewed = await hub.InvokeAsync("PreviewSource", id, path, rundown.GetProperty("version").GetInt64());
        Assert.True(previewed.GetProperty("ok").GetBoolean(), previewed.ToString());
        var item = previewed.GetProperty("rundown").GetProperty("items")[0];
        Assert.Equal(path, Text(item, "source"));
        Assert.Equal(Text(item, "id"), Text(previewed.GetProperty("rundown"), "previewItemId"));
        await hub.WaitForEventAsync("tally", t => Text(t, "rundownId") == id && Text(t, "previewSource") == path, s_wait, "preview tally");

        var take = await hub.InvokeAsync("Take", id, Text(item, "id"));

        Assert.True(take.GetProperty("ok").GetBoolean(), take.ToString());
        var tally = await hub.WaitForEventAsync("tally", t => Text(t, "rundownId") == id && Text(t, "showingSource") == path && Text(t, "mode") == "onAir", s_wait, "program tally");
        Assert.Equal(Text(item, "id"), Text(tally, "onAirItemId"));
        Assert.True(tally.GetProperty("lastTakeLatencyMs").GetDouble() > 0);
    }

    [Fact]
    public async Task PartnerPull_StartedAndEndedEventsReachTheOwningStation()
    {
        var owner = await _accounts.CreateStationAsync("Pull owner");
        var partner = await _accounts.CreateStationAsync("Pull partner");
        var (_, token) = await _accounts.CreateUserAsync(owner);
        await using var hub = await _accounts.ConnectAsync(token);
        var newsroom = new Newsroom.NewsroomDriver(_server);
        await using var onAir = await newsroom.StartOnAirAsync($"live/pulled-{Guid.NewGuid():N}"[..24], seconds: 60);
        var (status, share) = await _server.AdminAsync(HttpMethod.Post, "/api/shares", new { kind = "rundown", targetId = onAir.RundownId, stationId = partner });
        Assert.True(status == HttpStatusCode.Created, share.ToString());
        var (_, links) = await _server.AdminAsync(HttpMethod.Get, $"/api/shares/{Text(share, "id")}/links");
        var file = Path.Combine(Path.GetTempPath(), $"pull-{Guid.NewGuid():N}.flv");
        try
        {
            await using (var puller = Ffmpeg.Record(Text(links.GetProperty("program"), "rtmp")!, file, 30))
            {
                var started = await hub.WaitForEventAsync("pullStarted", p => Text(p, "streamPath") == onAir.ProgramPath, s_wait, "the partner's pull");
                Assert.Equal(partner, Text(started, "stationId"));
                Assert.Equal("Pull partner", Text(started, "stationName"));
                Assert.Equal("rtmp", Text(started, "protocol"));
                puller.Kill();
            }

            var ended = await hub.WaitForEventAsync("pullEnded", p => Text(p, "streamPath") == onAir.ProgramPath, s_wait, "the pull's end");
            Assert.Equal(partner, Text(ended, "stationId"));
            Assert.True(ended.GetProperty("bytes").GetInt64() > 0);
            Assert.Equal(JsonValueKind.String, ended.GetProperty("endedAt").ValueKind);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task SrtFeed_HealthCarriesTheLinkFigures()
    {
        var (_, token) = await _accounts.CreateUserAsync(null);
        await using var hub = await _accounts.ConnectAsync(token);
        var path = $"live/srt-{Guid.NewGuid():N}"[..24];

        await using var publisher = Ffmpeg.Publish(_server.SrtUrl($"publish:{path}"), 60, format: "mpegts");

        var health = await hub.WaitForEventAsync(
            "feedHealth",
            // The link figures are sampled once a second: the first sample may come before any packet.
            batch => batch.EnumerateArray().Any(h => Text(h, "path") == path
                && h.GetProperty("transport").ValueKind == JsonValueKind.Object
                && h.GetProperty("transport").GetProperty("packetsReceived").GetDouble() > 0),
            s_wait,
            "SRT link figures");
        var transport = health.EnumerateArray().Single(h => Text(h, "path") == path).GetProperty("transport");
        Assert.True(transport.GetProperty("rttMs").GetDouble() >= 0);
        Assert.True(transport.TryGetProperty("packetsLost", out _), transport.ToString());
    }

    [Fact]
    public async Task AnotherStationsPrivateFeed_CannotBePutInARundown()
    {
        var mine = await _accounts.CreateStationAsync("Mine TV");
        var theirs = await _accounts.CreateStationAsync("Theirs TV");
        var (_, token) = await _accounts.CreateUserAsync(mine);
        var privatePath = $"theirs/{Guid.NewGuid():N}"[..20];
        var (status, feed) = await _server.AdminAsync(HttpMethod.Post, "/api/feeds", new { name = "Their camera", path = privatePath, stationId = theirs });
        Assert.True(status == HttpStatusCode.Created, feed.ToString());
        await using var hub = await _accounts.ConnectAsync(token);
        var rundown = (await hub.InvokeAsync("CreateRundown", new { title = "Mine" })).GetProperty("rundown");
        var id = Text(rundown, "id")!;

        var bySource = await hub.InvokeAsync("AddItem", id, new { title = "Theirs", source = privatePath }, null);
        var byFeed = await hub.InvokeAsync("AddItem", id, new { title = "Theirs", feedId = Text(feed, "id") }, null);
        var byPreview = await hub.InvokeAsync("PreviewSource", id, privatePath, null);

        foreach (var refused in new[] { bySource, byFeed, byPreview })
        {
            Assert.False(refused.GetProperty("ok").GetBoolean(), refused.ToString());
            Assert.Contains("is not a feed your station may use", Text(refused, "error"));
            Assert.Empty(refused.GetProperty("rundown").GetProperty("items").EnumerateArray());
        }
    }

    [Fact]
    public async Task RemovedUser_OpenPageIsClosed_AndTheTokenStopsWorking()
    {
        var (username, token) = await _accounts.CreateUserAsync(null);
        await using var hub = await _accounts.ConnectAsync(token);
        var (_, users) = await _server.AdminAsync(HttpMethod.Get, "/api/users");
        var id = Text(users.EnumerateArray().Single(u => Text(u, "username") == username), "id")!;

        var (status, _) = await _server.AdminAsync(HttpMethod.Delete, $"/api/users/{id}");

        Assert.Equal(HttpStatusCode.NoContent, status);
        var closed = await hub.WaitForStateAsync("closed", s_wait);
        Assert.Equal("closed", closed.GetProperty("state").GetString());
        using var http = _accounts.NewClient();
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        me.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(me);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var (again, state) = await NodeHubClient.ConnectAsync(_server, token);
        await using var _ = again;
        Assert.Equal("failed", state.GetProperty("state").GetString());
    }

    private static JsonElement Rundown(JsonElement state, string id) =>
        state.GetProperty("rundowns").EnumerateArray().Single(r => Text(r, "id") == id);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static async Task<(int Width, int Height)> ProbeJpegAsync(byte[] jpeg)
    {
        var file = Path.Combine(Path.GetTempPath(), $"thumb-{Guid.NewGuid():N}.jpg");
        await File.WriteAllBytesAsync(file, jpeg);
        try
        {
            var probe = await Ffmpeg.ProbeAsync(file);
            return (probe.Video.GetProperty("width").GetInt32(), probe.Video.GetProperty("height").GetInt32());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
