using System.Globalization;
using System.Net;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Pulling;

/// <summary>RTSP pulls from a server that is not ours: GStreamer's gst-rtsp-server as an IP camera (rtsp-server.py).</summary>
[Collection(ServerCollection.Name)]
public sealed class RtspPullTests(ServerFixture fixture) : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(45);
    private readonly ServerProcess _server = fixture.Server;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>Starts gst-rtsp-server on <paramref name="port"/> (options: --user U --password P --video h264|h265 --audio aac|latm|pcma).</summary>
    internal static async Task<ExternalProcess> StartCameraAsync(int port, params string[] options)
    {
        var camera = ExternalProcess.Start("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "Pulling", "rtsp-server.py"), port.ToString(CultureInfo.InvariantCulture), .. options]);
        await camera.WaitForOutputAsync("ready", s_wait);
        return camera;
    }

    [Theory]
    [InlineData("tcp", false)]
    [InlineData("tcp", true)]
    [InlineData("udp", true)]
    public async Task Pull_FromGstreamerRtspServer_IsLiveWithH264AndAac_AndPlayableOverRtmp(string transport, bool password)
    {
        var port = FreePort.Tcp();
        var path = $"cams/rtsp-{Guid.NewGuid():N}"[..24];
        await using var camera = password ? await StartCameraAsync(port, "--user", "admin", "--password", "s3cret-pass") : await StartCameraAsync(port);
        var url = password ? $"rtsp://admin:s3cret-pass@127.0.0.1:{port}/test" : $"rtsp://127.0.0.1:{port}/test";

        var (status, pull) = await _server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path, url, transport });

        Assert.True(status == HttpStatusCode.Created, pull.ToString());
        var id = pull.GetProperty("id").GetString()!;
        Assert.DoesNotContain("s3cret", pull.GetProperty("url").GetString());
        Assert.Equal(transport, pull.GetProperty("transport").GetString());
        var stream = await _server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 100 && s.GetProperty("audio").ValueKind == JsonValueKind.Object, s_wait);
        Assert.Equal("rtsp-pull", stream.GetProperty("publisher").GetProperty("protocol").GetString());
        Assert.Equal(640, stream.GetProperty("video").GetProperty("width").GetInt32());
        Assert.Equal("AAC", stream.GetProperty("audio").GetProperty("codec").GetString());
        var file = _files.File("rtsp-pulled.flv");
        await using var player = Ffmpeg.Record(_server.RtmpUrl(path), file, 2);
        Assert.True(await player.WaitForExitAsync(s_wait) == 0, player.AllOutput);
        var probe = await Ffmpeg.ProbeAsync(file);
        Assert.Equal("h264", probe.Video.GetProperty("codec_name").GetString());
        Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());

        // One timeline: the first audio and video packets of the recording are close together (RTP-Info / RTCP sender reports).
        var video = await Ffmpeg.PacketsAsync(file, "v:0");
        var audio = await Ffmpeg.PacketsAsync(file, "a:0");
        Assert.True(Math.Abs(video[0].Dts - audio[0].Dts) < 0.3, $"video starts at {video[0].Dts}, audio at {audio[0].Dts}");
        var (_, live) = await _server.AdminAsync(HttpMethod.Get, $"/api/pulls/{id}");
        Assert.True(live.GetProperty("bytesReceived").GetInt64() > 10_000, live.ToString());
        Assert.Equal(HttpStatusCode.NoContent, (await _server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{id}")).Status);
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("udp")]
    public async Task Pull_H265AndLatmAudio_AreCarriedToHls(string transport)
    {
        var port = FreePort.Tcp();
        var path = $"cams/hevc-{Guid.NewGuid():N}"[..24];
        await using var camera = await StartCameraAsync(port, "--video", "h265", "--audio", "latm");

        var (status, pull) = await _server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path, url = $"rtsp://127.0.0.1:{port}/test", transport });

        Assert.True(status == HttpStatusCode.Created, pull.ToString());
        var id = pull.GetProperty("id").GetString()!;
        var stream = await _server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 100 && s.GetProperty("audio").ValueKind == JsonValueKind.Object, s_wait);
        Assert.Equal("H265", stream.GetProperty("video").GetProperty("codec").GetString());
        Assert.Equal(640, stream.GetProperty("video").GetProperty("width").GetInt32());
        Assert.Equal("AAC", stream.GetProperty("audio").GetProperty("codec").GetString());
        var file = _files.File("hevc.ts");
        await using var player = Ffmpeg.Record(_server.HttpUrl($"{path}/index.m3u8"), file, 3);
        Assert.True(await player.WaitForExitAsync(s_wait) == 0, player.AllOutput);
        var probe = await Ffmpeg.ProbeAsync(file);
        Assert.Equal("hevc", probe.Video.GetProperty("codec_name").GetString());
        Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());
        Assert.True(ProbeResult.Packets(probe.Video) >= 50, probe.Root.ToString());
        await _server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{id}");
    }

    [Fact]
    public async Task Pull_G711Audio_IsCarriedToRtmp_AndLeftOutOfHlsWithOneLogLine()
    {
        var port = FreePort.Tcp();
        var path = $"cams/alaw-{Guid.NewGuid():N}"[..24];
        await using var camera = await StartCameraAsync(port, "--audio", "pcma");

        var (_, pull) = await _server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path, url = $"rtsp://127.0.0.1:{port}/test" });

        var id = pull.GetProperty("id").GetString()!;
        var stream = await _server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 50 && s.GetProperty("audio").ValueKind == JsonValueKind.Object, s_wait);
        Assert.Equal("G711A", stream.GetProperty("audio").GetProperty("codec").GetString());
        Assert.Equal(8000, stream.GetProperty("audio").GetProperty("sampleRate").GetInt32());

        // RTMP players take G.711 (FLV SoundFormat 7).
        var flv = _files.File("alaw.flv");
        await using (var player = Ffmpeg.Record(_server.RtmpUrl(path), flv, 2))
        {
            Assert.True(await player.WaitForExitAsync(s_wait) == 0, player.AllOutput);
        }

        var probe = await Ffmpeg.ProbeAsync(flv);
        Assert.Equal("h264", probe.Video.GetProperty("codec_name").GetString());
        Assert.Equal("pcm_alaw", probe.Audio.GetProperty("codec_name").GetString());
        Assert.True(ProbeResult.Packets(probe.Audio) > 10, probe.Root.ToString());

        // HLS (MPEG-TS) cannot: the video plays, the audio is left out, and the log says so once.
        var ts = _files.File("alaw.ts");
        await using (var player = Ffmpeg.Record(_server.HttpUrl($"{path}/index.m3u8"), ts, 2))
        {
            Assert.True(await player.WaitForExitAsync(s_wait) == 0, player.AllOutput);
        }

        var hls = await Ffmpeg.ProbeAsync(ts);
        Assert.Equal("h264", hls.Video.GetProperty("codec_name").GetString());
        Assert.Null(hls.Stream("audio"));
        var line = $"HLS of {path}: G711A cannot be carried in MPEG-TS here";
        Assert.Equal(1, _server.Log.Split(line).Length - 1);
        await _server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{id}");
    }

    [Fact]
    public async Task Pull_WrongPassword_IsFailedWithTheReason_NotALoopOf401s()
    {
        var port = FreePort.Tcp();
        await using var camera = await StartCameraAsync(port, "--user", "admin", "--password", "s3cret-pass");

        var (status, pull) = await _server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path = $"cams/rtsp-{Guid.NewGuid():N}"[..24], url = $"rtsp://admin:wrong@127.0.0.1:{port}/test" });

        Assert.Equal(HttpStatusCode.Created, status);
        var id = pull.GetProperty("id").GetString()!;
        var failed = await WaitForPullAsync(_server, id, p => p.GetProperty("state").GetString() == "failed");
        Assert.Contains("wrong username or password", failed.GetProperty("lastError").GetString());
        Assert.Equal(1, failed.GetProperty("attempts").GetInt32()); // one attempt: it backs off for 30 s, it does not loop
        await _server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{id}");
    }

    [Fact]
    public async Task Pull_CameraGoesAwayAndComesBack_RetriesThenLive_AndHlsContinuesWithADiscontinuity()
    {
        var port = FreePort.Tcp();
        var path = $"cams/flap-{Guid.NewGuid():N}"[..24];
        var camera = await StartCameraAsync(port);
        try
        {
            var (_, pull) = await _server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path, url = $"rtsp://127.0.0.1:{port}/test" });
            var id = pull.GetProperty("id").GetString()!;
            await WaitForPullAsync(_server, id, p => p.GetProperty("state").GetString() == "live");
            var before = Discontinuities(await _server.Http.GetStringAsync($"/{path}/index.m3u8"));

            camera.Kill();
            await camera.DisposeAsync();
            var retrying = await WaitForPullAsync(_server, id, p => p.GetProperty("state").GetString() == "retrying");
            Assert.False(string.IsNullOrEmpty(retrying.GetProperty("lastError").GetString()));

            camera = await StartCameraAsync(port);
            await WaitForPullAsync(_server, id, p => p.GetProperty("state").GetString() == "live" && p.GetProperty("attempts").GetInt32() >= 2);

            // The same playlist goes on (no end), with one more discontinuity and a whole segment of the camera's new session after it.
            using var deadline = new CancellationTokenSource(s_wait);
            string playlist;
            string? resumed;
            do
            {
                await Task.Delay(500, deadline.Token);
                playlist = await _server.Http.GetStringAsync($"/{path}/index.m3u8", deadline.Token);
                var tail = playlist[(playlist.LastIndexOf("#EXT-X-DISCONTINUITY\n", StringComparison.Ordinal) + 1)..];
                resumed = tail.Split('\n').FirstOrDefault(line => line.EndsWith(".ts", StringComparison.Ordinal));
            }
            while (Discontinuities(playlist) <= before || resumed is null);

            Assert.DoesNotContain("#EXT-X-ENDLIST", playlist);
            var file = _files.File("after-flap.ts");
            await File.WriteAllBytesAsync(file, await _server.Http.GetByteArrayAsync($"/{path}/{resumed}"));
            var probe = await Ffmpeg.ProbeAsync(file);
            Assert.Equal("h264", probe.Video.GetProperty("codec_name").GetString());
            Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());
            await _server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{id}");
        }
        finally
        {
            await camera.DisposeAsync();
        }
    }

    /// <summary>Discontinuities a playlist has had: those that left the window (DISCONTINUITY-SEQUENCE) and those in it.</summary>
    private static int Discontinuities(string playlist)
    {
        var lines = playlist.Split('\n');
        var left = lines.FirstOrDefault(l => l.StartsWith("#EXT-X-DISCONTINUITY-SEQUENCE:", StringComparison.Ordinal)) is { } sequence
            ? int.Parse(sequence["#EXT-X-DISCONTINUITY-SEQUENCE:".Length..], CultureInfo.InvariantCulture)
            : 0;
        return left + lines.Count(l => l == "#EXT-X-DISCONTINUITY");
    }

    [Fact]
    public async Task Pull_CameraStopsSendingButKeepsTheConnection_TimesOutThenReconnects()
    {
        var port = FreePort.Tcp();
        var path = $"cams/mute-{Guid.NewGuid():N}"[..24];
        await using var camera = await StartCameraAsync(port);
        var (_, pull) = await _server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path, url = $"rtsp://127.0.0.1:{port}/test" });
        var id = pull.GetProperty("id").GetString()!;
        await WaitForPullAsync(_server, id, p => p.GetProperty("state").GetString() == "live");

        // SIGSTOP freezes the camera: its sockets stay open, nothing is sent.
        await Signal(camera.Id, "STOP");
        try
        {
            var quiet = await WaitForPullAsync(_server, id, p => p.GetProperty("state").GetString() != "live");
            Assert.Contains("no media from the camera for 10 s", quiet.GetProperty("lastError").GetString());
        }
        finally
        {
            await Signal(camera.Id, "CONT");
        }

        await WaitForPullAsync(_server, id, p => p.GetProperty("state").GetString() == "live" && p.GetProperty("attempts").GetInt32() >= 2);
        await _server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{id}");
    }

    private static async Task Signal(int pid, string signal)
    {
        var (exit, output) = await ExternalProcess.RunAsync("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)], s_wait);
        Assert.True(exit == 0, output);
    }

    [Fact]
    public async Task OnDemandPull_IsIdleUntilAPlayerAsks_ThenLive_ThenIdleAfterTheLastLeaves()
    {
        var port = FreePort.Tcp();
        var path = $"cams/lazy-{Guid.NewGuid():N}"[..24];
        await using var camera = await StartCameraAsync(port);

        var (status, pull) = await _server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path, url = $"rtsp://127.0.0.1:{port}/test", onDemand = true, idleSeconds = 2 });

        Assert.True(status == HttpStatusCode.Created, pull.ToString());
        var id = pull.GetProperty("id").GetString()!;
        Assert.Equal("idle", pull.GetProperty("state").GetString());
        Assert.Equal(0, pull.GetProperty("attempts").GetInt32());
        Assert.Null(await _server.FindStreamAsync(path));

        // The first player's request starts the pull and is answered once the first keyframe is in.
        var file = _files.File("on-demand.flv");
        await using (var player = Ffmpeg.Record(_server.RtmpUrl(path), file, 2))
        {
            Assert.True(await player.WaitForExitAsync(s_wait) == 0, player.AllOutput);
        }

        Assert.Equal("h264", (await Ffmpeg.ProbeAsync(file)).Video.GetProperty("codec_name").GetString());
        var idle = await WaitForPullAsync(_server, id, p => p.GetProperty("state").GetString() == "idle" && p.GetProperty("attempts").GetInt32() == 1);
        Assert.Contains("nobody played", idle.GetProperty("lastError").GetString());

        // HLS players start it too.
        var playlist = await _server.Http.GetAsync($"/{path}/index.m3u8");
        Assert.Equal(HttpStatusCode.OK, playlist.StatusCode);
        await _server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{id}");
    }

    /// <summary>Polls the pull's API entry: the API is the only view of its state.</summary>
    internal static async Task<JsonElement> WaitForPullAsync(ServerProcess server, string id, Func<JsonElement, bool> condition)
    {
        using var deadline = new CancellationTokenSource(s_wait);
        JsonElement last = default;
        while (!deadline.IsCancellationRequested)
        {
            var (_, pull) = await server.AdminAsync(HttpMethod.Get, $"/api/pulls/{id}");
            last = pull;
            if (condition(pull))
            {
                return pull;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("the pull did not reach the state: " + last);
    }
}
