using System.Net;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;
using LiveRelay.Integration.Tests.Newsroom;

namespace LiveRelay.Integration.Tests.Relaying;

/// <summary>Relay-out to servers that are not ours: ffmpeg listening over RTMP (<c>-listen 1</c>) or SRT (listener mode) and recording what it gets.</summary>
[Collection(ServerCollection.Name)]
public sealed class RelayOutTests(ServerFixture fixture) : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(45);
    private readonly ServerProcess _server = fixture.Server;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Relay_ToFfmpegListening_ReceivesH264AndAac_AndTheApiCountsWhatWentOut()
    {
        var source = $"live/relay-{Guid.NewGuid():N}"[..24];
        var port = FreePort.Tcp();
        var received = _files.File("received.flv");
        await using var receiver = ExternalProcess.Start("ffmpeg",
            ["-hide_banner", "-loglevel", "info", "-y", "-listen", "1", "-i", $"rtmp://127.0.0.1:{port}/push/target-key", "-t", "4", "-c", "copy", received]);
        await using var publisher = await new NewsroomDriver(_server).PublishAsync(source, seconds: 60);

        var (status, relay) = await _server.AdminAsync(HttpMethod.Post, "/api/relays", new { source, url = $"rtmp://127.0.0.1:{port}/push/target-key" });

        Assert.True(status == HttpStatusCode.Created, relay.ToString());
        var id = relay.GetProperty("id").GetString()!;
        Assert.Equal(source, relay.GetProperty("source").GetString());
        Assert.DoesNotContain("target-key", relay.GetProperty("url").GetString()); // the stream name may be a key
        Assert.True(await receiver.WaitForExitAsync(s_wait) == 0, receiver.AllOutput);
        var probe = await Ffmpeg.ProbeAsync(received);
        Assert.Equal("h264", probe.Video.GetProperty("codec_name").GetString());
        Assert.Equal(640, probe.Video.GetProperty("width").GetInt32());
        Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());
        Assert.InRange(ProbeResult.Packets(probe.Video), 75, 125); // 4 s at 25 fps

        var (_, after) = await _server.AdminAsync(HttpMethod.Get, $"/api/relays/{id}");
        Assert.True(after.GetProperty("bytesSent").GetInt64() > 100_000, after.ToString());
        Assert.True(after.GetProperty("framesSent").GetInt64() >= 100, after.ToString());
        Assert.Contains($"Relay {id} of {source} to rtmp://127.0.0.1:{port}/push/…: Live", _server.Log);

        Assert.Equal(HttpStatusCode.NoContent, (await _server.AdminAsync(HttpMethod.Delete, $"/api/relays/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.AdminAsync(HttpMethod.Get, $"/api/relays/{id}")).Status);
    }

    [Fact]
    public async Task Relay_ToFfmpegSrtListener_ReceivesMpegTsWithH264AndAac()
    {
        var source = $"live/srtout-{Guid.NewGuid():N}"[..24];
        var port = FreePort.Udp();
        var received = _files.File("received.ts");
        await using var receiver = ExternalProcess.Start("ffmpeg",
            ["-hide_banner", "-loglevel", "info", "-y", "-i", $"srt://127.0.0.1:{port}?mode=listener", "-t", "4", "-c", "copy", received]);
        await using var publisher = await new NewsroomDriver(_server).PublishAsync(source, seconds: 60);

        var (status, relay) = await _server.AdminAsync(HttpMethod.Post, "/api/relays", new { source, url = $"srt://127.0.0.1:{port}?latency=200" });

        Assert.True(status == HttpStatusCode.Created, relay.ToString());
        var id = relay.GetProperty("id").GetString()!;
        Assert.True(await receiver.WaitForExitAsync(s_wait) == 0, receiver.AllOutput);
        var probe = await Ffmpeg.ProbeAsync(received);
        Assert.Equal("h264", probe.Video.GetProperty("codec_name").GetString());
        Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());
        Assert.InRange(ProbeResult.Packets(probe.Video), 75, 125);
        var (_, after) = await _server.AdminAsync(HttpMethod.Get, $"/api/relays/{id}");
        Assert.True(after.GetProperty("framesSent").GetInt64() >= 100, after.ToString());
        Assert.Equal($"srt://127.0.0.1:{port}", after.GetProperty("url").GetString());
        await _server.AdminAsync(HttpMethod.Delete, $"/api/relays/{id}");
    }

    [Fact]
    public async Task Relay_TargetRefusesConnections_IsRetryingWithTheReason_AndOtherStreamsFlow()
    {
        var source = $"live/refused-{Guid.NewGuid():N}"[..24];
        await using var publisher = await new NewsroomDriver(_server).PublishAsync(source, seconds: 60);
        var closedPort = FreePort.Tcp();

        var (status, relay) = await _server.AdminAsync(HttpMethod.Post, "/api/relays", new { source, url = $"rtmp://127.0.0.1:{closedPort}/app/key" });

        Assert.Equal(HttpStatusCode.Created, status);
        var id = relay.GetProperty("id").GetString()!;
        var retrying = await WaitForRelayAsync(id, r => r.GetProperty("state").GetString() == "retrying" && r.GetProperty("attempts").GetInt32() >= 2);
        Assert.Contains("refused", retrying.GetProperty("lastError").GetString(), StringComparison.OrdinalIgnoreCase);
        var stream = await _server.WaitForStreamAsync(source, s => s.GetProperty("framesIn").GetInt64() > 50, s_wait);
        Assert.Equal("live", stream.GetProperty("state").GetString());
        await _server.AdminAsync(HttpMethod.Delete, $"/api/relays/{id}");
    }

    [Fact]
    public async Task Relay_TargetRefusesThePublish_IsRetryingWithTheTargetsReason()
    {
        // The target is a LiveRelay whose path is taken: it answers the publish with an error.
        var source = $"live/src-{Guid.NewGuid():N}"[..24];
        var taken = $"live/taken-{Guid.NewGuid():N}"[..24];
        await using var publisher = await new NewsroomDriver(_server).PublishAsync(source, seconds: 60);
        await using var squatter = await new NewsroomDriver(_server).PublishAsync(taken, seconds: 60);

        var (_, relay) = await _server.AdminAsync(HttpMethod.Post, "/api/relays", new { source, url = _server.RtmpUrl(taken) });

        var id = relay.GetProperty("id").GetString()!;
        var retrying = await WaitForRelayAsync(id, r => r.GetProperty("state").GetString() == "retrying" && r.GetProperty("attempts").GetInt32() >= 2);
        Assert.Contains("already being published", retrying.GetProperty("lastError").GetString());
        Assert.Equal(1, (await _server.FindStreamAsync(taken))!.Value.GetProperty("publisherSessions").GetInt32());
        await _server.AdminAsync(HttpMethod.Delete, $"/api/relays/{id}");
    }

    [Theory]
    [InlineData("live/x", "http://example.com/a/b", "rtmp(s)://host")]
    [InlineData("live/x", "rtmp://host/onlyapp", "must name an application and a stream")]
    [InlineData("live/x", "ftp://host/app/key", "rtmp(s)://host")]
    [InlineData("live/x", "srt://host:9000?passphrase=short", "passphrase must be 10–79 characters")]
    [InlineData("../x", "rtmp://host/app/key", "source:")]
    public async Task Relay_BadRequest_Is400NamingTheProblem(string source, string url, string expected)
    {
        var (status, body) = await _server.AdminAsync(HttpMethod.Post, "/api/relays", new { source, url });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, body.GetProperty("error").GetString());
    }

    /// <summary>Polls the relay's API entry: the API is the only view of its state.</summary>
    private async Task<JsonElement> WaitForRelayAsync(string id, Func<JsonElement, bool> condition)
    {
        using var deadline = new CancellationTokenSource(s_wait);
        JsonElement last = default;
        while (!deadline.IsCancellationRequested)
        {
            var (_, relay) = await _server.AdminAsync(HttpMethod.Get, $"/api/relays/{id}");
            last = relay;
            if (condition(relay))
            {
                return relay;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"relay {id} did not reach the state; last: {last}");
    }
}
