using System.Net;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Pulling;

/// <summary>URL pulls from servers that are not ours: ffmpeg serving a generated stream over RTMP (<c>-listen 1</c>) or SRT (listener mode).</summary>
[Collection(ServerCollection.Name)]
public sealed class UrlPullTests(ServerFixture fixture) : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(45);
    private readonly ServerProcess _server = fixture.Server;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>ffmpeg as an RTMP server that sends a generated H.264/AAC stream to the first client that plays it.</summary>
    private static ExternalProcess ServeOnce(int port, int seconds) => ExternalProcess.Start("ffmpeg",
    [
        "-hide_banner", "-loglevel", "info", "-re",
        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=44100",
        "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-f", "flv", "-listen", "1", $"rtmp://127.0.0.1:{port}/src/cam",
    ]);

    [Fact]
    public async Task Pull_FromFfmpegRtmpServer_IsLiveAtThePath_PlayableOverHls_AndComesBackAfterTheSourceReturns()
    {
        var port = FreePort.Tcp();
        var path = $"cams/door-{Guid.NewGuid():N}"[..24];
        await using (var source = ServeOnce(port, 60))
        {
            var (status, pull) = await _server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path, url = $"rtmp://127.0.0.1:{port}/src/cam", transport = "tcp", onDemand = false });

            Assert.True(status == HttpStatusCode.Created, pull.ToString());
            var id = pull.GetProperty("id").GetString()!;
            var stream = await _server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 75, s_wait);
            Assert.Equal("rtmp-pull", stream.GetProperty("publisher").GetProperty("protocol").GetString());
            Assert.Equal(640, stream.GetProperty("video").GetProperty("width").GetInt32());
            var live = await WaitForPullAsync(id, p => p.GetProperty("state").GetString() == "live");
            Assert.True(live.GetProperty("bytesReceived").GetInt64() > 0, live.ToString());

            var file = _files.File("pulled.ts");
            await using var player = Ffmpeg.Record(_server.HttpUrl($"{path}/index.m3u8"), file, 3);
            Assert.True(await player.WaitForExitAsync(s_wait) == 0, player.AllOutput);
            var probe = await Ffmpeg.ProbeAsync(file);
            Assert.Equal("h264", probe.Video.GetProperty("codec_name").GetString());
            Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());

            // The camera goes away: the pull retries with the reason.
            source.Kill();
            var retrying = await WaitForPullAsync(id, p => p.GetProperty("state").GetString() == "retrying");
            Assert.False(string.IsNullOrEmpty(retrying.GetProperty("lastError").GetString()));

            // It comes back: the pull is live again and frames flow at the same path.
            var framesBefore = (await _server.FindStreamAsync(path))?.GetProperty("framesIn").GetInt64() ?? 0;
            await using var again = ServeOnce(port, 60);
            await WaitForPullAsync(id, p => p.GetProperty("state").GetString() == "live" && p.GetProperty("attempts").GetInt32() >= 2);
            await _server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > framesBefore + 50, s_wait);
            Assert.Equal(HttpStatusCode.NoContent, (await _server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{id}")).Status);
        }
    }

    [Fact]
    public async Task SrtPull_FromFfmpegSrtListener_IsLiveAtThePath_AndPlayableOverRtmp()
    {
        var port = FreePort.Udp();
        var path = $"cams/srt-{Guid.NewGuid():N}"[..24];
        await using var source = ExternalProcess.Start("ffmpeg",
        [
            "-hide_banner", "-loglevel", "info", "-re",
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=44100",
            "-t", "60",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-f", "mpegts", $"srt://127.0.0.1:{port}?mode=listener",
        ]);

        var (status, pull) = await _server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path, url = $"srt://127.0.0.1:{port}?latency=200" });

        Assert.True(status == HttpStatusCode.Created, pull.ToString());
        var id = pull.GetProperty("id").GetString()!;
        var stream = await _server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 75, s_wait);
        Assert.Equal("srt-pull", stream.GetProperty("publisher").GetProperty("protocol").GetString());
        Assert.Equal("AAC", stream.GetProperty("audio").GetProperty("codec").GetString());
        var live = await WaitForPullAsync(id, p => p.GetProperty("state").GetString() == "live");
        Assert.Equal($"srt://127.0.0.1:{port}", live.GetProperty("url").GetString());
        var file = _files.File("srt-pulled.flv");
        await using var player = Ffmpeg.Record(_server.RtmpUrl(path), file, 2);
        Assert.True(await player.WaitForExitAsync(s_wait) == 0, player.AllOutput);
        Assert.Equal("h264", (await Ffmpeg.ProbeAsync(file)).Video.GetProperty("codec_name").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await _server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{id}")).Status);
        await _server.WaitForStreamAsync(path, s => s.GetProperty("state").GetString() != "live", s_wait);
    }

    [Theory]
    [InlineData("mpegts", "stream1.ts")]
    [InlineData("fmp4", "stream1.m4s")]
    public async Task HlsPull_OfAPlaylistOnAPlainHttpServer_IsLiveAtThePath_AndPlayableOverRtmp(string segmentType, string secondSegment)
    {
        var directory = Directory.CreateTempSubdirectory("liverelay-hls-src-").FullName;
        var port = FreePort.Tcp();
        var path = $"cams/hls-{Guid.NewGuid():N}"[..24];
        try
        {
            await using var writer = ExternalProcess.Start("ffmpeg",
            [
                "-hide_banner", "-loglevel", "info", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=44100",
                "-t", "60",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-f", "hls", "-hls_time", "1", "-hls_list_size", "5", "-hls_flags", "delete_segments",
                "-hls_segment_type", segmentType, "-hls_fmp4_init_filename", "init.mp4",
                Path.Combine(directory, "stream.m3u8"),
            ]);
            await using var http = ExternalProcess.Start("python3", ["-m", "http.server", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--directory", directory]);
            await writer.WaitForOutputAsync(secondSegment, s_wait);

            var (status, pull) = await _server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path, url = $"http://127.0.0.1:{port}/stream.m3u8" });

            Assert.True(status == HttpStatusCode.Created, pull.ToString());
            var id = pull.GetProperty("id").GetString()!;
            var stream = await _server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 100, s_wait);
            Assert.Equal("hls-pull", stream.GetProperty("publisher").GetProperty("protocol").GetString());
            Assert.Equal(640, stream.GetProperty("video").GetProperty("width").GetInt32());
            var file = _files.File("hls-pulled.flv");
            await using var player = Ffmpeg.Record(_server.RtmpUrl(path), file, 2);
            Assert.True(await player.WaitForExitAsync(s_wait) == 0, player.AllOutput);
            var probe = await Ffmpeg.ProbeAsync(file);
            Assert.Equal("h264", probe.Video.GetProperty("codec_name").GetString());
            Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());
            Assert.Equal(HttpStatusCode.NoContent, (await _server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{id}")).Status);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Pull_UnreachableSource_IsRetryingWithTheReason()
    {
        var path = $"cams/none-{Guid.NewGuid():N}"[..24];

        var (status, pull) = await _server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path, url = $"rtmp://127.0.0.1:{FreePort.Tcp()}/src/cam" });

        Assert.Equal(HttpStatusCode.Created, status);
        var id = pull.GetProperty("id").GetString()!;
        var retrying = await WaitForPullAsync(id, p => p.GetProperty("state").GetString() == "retrying");
        Assert.Contains("refused", retrying.GetProperty("lastError").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Null(await _server.FindStreamAsync(path));
        Assert.Contains((await _server.AdminAsync(HttpMethod.Get, "/api/pulls")).Body.EnumerateArray(), p => p.GetProperty("id").GetString() == id);
        await _server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{id}");
    }

    [Fact]
    public async Task ConfiguredPullAndRelay_StartWithTheServer_AndAreListed()
    {
        var port = FreePort.Tcp();
        await using var source = ServeOnce(port, 60);
        await using var server = await ServerProcess.StartAsync(
            $"--LiveRelay:Auth:AdminToken={ServerProcess.TestAdminToken}",
            "--LiveRelay:Pulls:0:Path=cams/configured",
            $"--LiveRelay:Pulls:0:Url=rtmp://127.0.0.1:{port}/src/cam",
            "--LiveRelay:Relays:0:Source=cams/configured",
            $"--LiveRelay:Relays:0:Url=rtmp://127.0.0.1:{FreePort.Tcp()}/out/key");

        var stream = await server.WaitForStreamAsync("cams/configured", s => s.GetProperty("framesIn").GetInt64() > 50, s_wait);

        Assert.Equal("rtmp-pull", stream.GetProperty("publisher").GetProperty("protocol").GetString());
        var pulls = (await server.AdminAsync(HttpMethod.Get, "/api/pulls")).Body;
        Assert.Equal("cams/configured", Assert.Single(pulls.EnumerateArray()).GetProperty("path").GetString());
        var relays = (await server.AdminAsync(HttpMethod.Get, "/api/relays")).Body;
        Assert.Equal("cams/configured", Assert.Single(relays.EnumerateArray()).GetProperty("source").GetString());
    }

    [Fact]
    public async Task ConfiguredPull_BadUrl_StopsTheStartNamingTheKey()
    {
        var (exit, output) = await ExternalProcess.RunAsync(
            "dotnet",
            [ServerProcess.ServerAssembly, "--LiveRelay:Pulls:0:Path=cams/x", "--LiveRelay:Pulls:0:Url=ftp://camera/x", "--LiveRelay:Srt:Port=0", "--LiveRelay:Rtmp:Port=0", "--urls", $"http://127.0.0.1:{FreePort.Tcp()}"],
            TimeSpan.FromSeconds(60));

        Assert.Equal(2, exit);
        Assert.Contains("LiveRelay:Pulls:0: url: ftp:// pulls are not supported", output);
    }

    [Theory]
    [InlineData("cams/x", "ftp://cam/stream.m3u8", "tcp", null, "ftp:// pulls are not supported")]
    [InlineData("cams/x", "http://cam/stream.mp4", "tcp", null, "must be an HLS playlist")]
    [InlineData("cams/x", "rtmp://host/onlyapp", "tcp", null, "must name an application and a stream")]
    [InlineData("cams/x", "rtmp://host/app/s", "udp", null, "\"udp\" is for rtsp://")]
    [InlineData("cams/x", "rtsp://cam/s", "sctp", null, "transport must be")]
    [InlineData("cams/x", "rtsp://cam/s", "tcp", 0, "idleSeconds must be")]
    [InlineData("cams/x", "srt://host:9000?latency=fast", "tcp", null, "latency must be milliseconds")]
    [InlineData("bad path!", "rtmp://host/app/s", "tcp", null, "path:")]
    public async Task Pull_BadRequest_Is400NamingTheProblem(string path, string url, string transport, int? idleSeconds, string expected)
    {
        var (status, body) = await _server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path, url, transport, idleSeconds });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Pull_SecondPullOfTheSamePath_Is409()
    {
        var path = $"cams/twice-{Guid.NewGuid():N}"[..24];
        var (created, first) = await _server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path, url = "rtsp://127.0.0.1:9/a", onDemand = true });
        Assert.Equal(HttpStatusCode.Created, created);

        var (status, body) = await _server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path, url = "rtsp://127.0.0.1:9/b" });

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("is pulled already", body.GetProperty("error").GetString());
        await _server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{first.GetProperty("id").GetString()}");
    }

    /// <summary>Polls the pull's API entry: the API is the only view of its state.</summary>
    private async Task<JsonElement> WaitForPullAsync(string id, Func<JsonElement, bool> condition)
    {
        using var deadline = new CancellationTokenSource(s_wait);
        JsonElement last = default;
        while (!deadline.IsCancellationRequested)
        {
            var (_, pull) = await _server.AdminAsync(HttpMethod.Get, $"/api/pulls/{id}");
            last = pull;
            if (condition(pull))
            {
                return pull;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"pull {id} did not reach the state; last: {last}");
    }
}
