using System.Globalization;
using System.Net;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Pulling;

/// <summary>RTSP pulls from a server that is not ours: GStreamer's gst-rtsp-server with H.264 and AAC (rtsp-server.py).</summary>
[Collection(ServerCollection.Name)]
public sealed class RtspPullTests(ServerFixture fixture) : IDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(45);
    private readonly ServerProcess _server = fixture.Server;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static async Task<ExternalProcess> StartCameraAsync(int port, params string[] credentials)
    {
        var camera = ExternalProcess.Start("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "Pulling", "rtsp-server.py"), port.ToString(CultureInfo.InvariantCulture), .. credentials]);
        await camera.WaitForOutputAsync("ready", s_wait);
        return camera;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Pull_FromGstreamerRtspServer_OverTcp_IsLiveWithH264AndAac_AndPlayableOverRtmp(bool password)
    {
        var port = FreePort.Tcp();
        var path = $"cams/rtsp-{Guid.NewGuid():N}"[..24];
        await using var camera = password ? await StartCameraAsync(port, "admin", "s3cret-pass") : await StartCameraAsync(port);
        var url = password ? $"rtsp://admin:s3cret-pass@127.0.0.1:{port}/test" : $"rtsp://127.0.0.1:{port}/test";

        var (status, pull) = await _server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path, url, transport = "tcp" });

        Assert.True(status == HttpStatusCode.Created, pull.ToString());
        var id = pull.GetProperty("id").GetString()!;
        Assert.DoesNotContain("s3cret", pull.GetProperty("url").GetString());
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
        Assert.Equal(HttpStatusCode.NoContent, (await _server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{id}")).Status);
    }

    [Fact]
    public async Task Pull_WrongPassword_IsRetryingWithTheReason_NotALoopOf401s()
    {
        var port = FreePort.Tcp();
        await using var camera = await StartCameraAsync(port, "admin", "s3cret-pass");

        var (status, pull) = await _server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path = $"cams/rtsp-{Guid.NewGuid():N}"[..24], url = $"rtsp://admin:wrong@127.0.0.1:{port}/test" });

        Assert.Equal(HttpStatusCode.Created, status);
        var id = pull.GetProperty("id").GetString()!;
        using var deadline = new CancellationTokenSource(s_wait);
        JsonElement last = default;
        while (!deadline.IsCancellationRequested)
        {
            (_, last) = await _server.AdminAsync(HttpMethod.Get, $"/api/pulls/{id}");
            if (last.GetProperty("state").GetString() == "retrying")
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.Contains("wrong username or password", last.GetProperty("lastError").GetString());
        Assert.Equal(1, last.GetProperty("attempts").GetInt32()); // one attempt so far: it backs off, it does not loop
        await _server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{id}");
    }
}
