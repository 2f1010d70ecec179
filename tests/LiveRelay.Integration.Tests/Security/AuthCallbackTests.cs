using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;
using LiveRelay.Integration.Tests.WebRtc;

namespace LiveRelay.Integration.Tests.Security;

/// <summary>
/// The operator's callbacks against a real HTTP endpoint (an <see cref="HttpListener"/> in this process)
/// that allows, refuses (403: publishes of paths that say "deny", plays of paths that say "private") or never answers ("slow"): publish
/// on RTMP, SRT and WHIP, play on HLS and RTMP, unpublish told; a callback that does not answer in time
/// follows the failure policy (deny). Anonymous publishing is off: the callback decides for paths no feed
/// claims, and a feed's key is still checked first.
/// </summary>
public sealed class AuthCallbackTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<JsonElement> _events = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly CancellationTokenSource _stop = new();
    private ServerProcess? _server;
    private Task? _serving;

    private ServerProcess Server => _server!;

    public async Task InitializeAsync()
    {
        var port = FreePort.Tcp();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _serving = ServeAsync();
        _server = await ServerProcess.StartAsync(
            $"--LiveRelay:Auth:AdminToken={ServerProcess.TestAdminToken}",
            "--LiveRelay:Auth:AllowAnonymousPublish=false",
            $"--LiveRelay:Auth:Callbacks:OnPublish=http://127.0.0.1:{port}/on_publish",
            $"--LiveRelay:Auth:Callbacks:OnPlay=http://127.0.0.1:{port}/on_play",
            $"--LiveRelay:Auth:Callbacks:OnUnpublish=http://127.0.0.1:{port}/on_unpublish",
            "--LiveRelay:Auth:Callbacks:TimeoutMilliseconds=1000",
            "--LiveRelay:Auth:Callbacks:FailurePolicy=deny",
            "--LiveRelay:Publish:ReconnectGraceSeconds=0");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await _stop.CancelAsync();
        _listener.Stop();
        if (_serving is not null)
        {
            await _serving;
        }

        _listener.Close();
        _stop.Dispose();
    }

    [Fact]
    public async Task AllowedPublish_IsLive_TheCallbackSeesKeyAndProtocol_AndHearsTheUnpublish()
    {
        var path = NewPath("allowed");
        await using (var publisher = Ffmpeg.Publish(Server.RtmpUrl($"{path}?key=partner-signed-abc"), seconds: 3))
        {
            await Server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 10, s_timeout);
            Assert.Equal(0, await publisher.WaitForExitAsync(s_timeout));
        }

        var publish = await WaitForEventAsync("publish", path);
        Assert.Equal("rtmp", publish.GetProperty("protocol").GetString());
        Assert.Equal("partner-signed-abc", publish.GetProperty("key").GetString());
        Assert.Equal(path[..path.IndexOf('/', StringComparison.Ordinal)], publish.GetProperty("app").GetString());
        Assert.StartsWith("127.0.0.1:", publish.GetProperty("remoteAddress").GetString(), StringComparison.Ordinal);
        var unpublish = await WaitForEventAsync("unpublish", path);
        Assert.Equal("rtmp", unpublish.GetProperty("protocol").GetString());
    }

    [Fact]
    public async Task RefusedPublish_OnRtmpSrtAndWhip_SaysTheCallbackRefused()
    {
        const string Reason = "refused by the publish callback (HTTP 403)";
        var rtmpPath = NewPath("deny-rtmp");
        await using (var rtmp = Ffmpeg.Publish(Server.RtmpUrl(rtmpPath), seconds: 5))
        {
            Assert.NotEqual(0, await rtmp.WaitForExitAsync(s_timeout));
            Assert.Contains(Reason, rtmp.AllOutput, StringComparison.Ordinal);
        }

        var srtPath = NewPath("deny-srt");
        var mark = Server.Process.Mark();
        await using (var srt = Ffmpeg.Publish(Server.SrtUrl($"publish:{srtPath}"), seconds: 5, format: "mpegts"))
        {
            Assert.NotEqual(0, await srt.WaitForExitAsync(s_timeout));
        }

        await Server.Process.WaitForOutputAsync(Reason, s_timeout, mark);
        using var content = new StringContent(Offers.H264AndOpus, Encoding.UTF8, "application/sdp");
        using var whip = await Server.Http.PostAsync($"/whip/{NewPath("deny-whip")}", content);
        Assert.Equal(HttpStatusCode.Forbidden, whip.StatusCode);
        Assert.Contains(Reason, await whip.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await Server.FindStreamAsync(rtmpPath));
        Assert.Null(await Server.FindStreamAsync(srtPath));
        Assert.Contains("liverelay_auth_callbacks_total{action=\"publish\",result=\"refused\"}", await Server.Http.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallbackThatNeverAnswers_FollowsTheDenyPolicy()
    {
        var path = NewPath("slow");
        await using var publisher = Ffmpeg.Publish(Server.RtmpUrl(path), seconds: 5);

        Assert.NotEqual(0, await publisher.WaitForExitAsync(s_timeout));
        Assert.Contains("the publish callback failed (no answer within 1000 ms)", publisher.AllOutput, StringComparison.Ordinal);
        Assert.Contains("policy: deny", Server.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FeedKey_IsCheckedBeforeTheCallback()
    {
        var path = NewPath("keyed");
        var (status, feed) = await Server.AdminAsync(HttpMethod.Post, "/api/feeds", new { name = "Keyed", path });
        Assert.Equal(HttpStatusCode.Created, status);

        await using (var keyless = Ffmpeg.Publish(Server.RtmpUrl(path), seconds: 5))
        {
            Assert.NotEqual(0, await keyless.WaitForExitAsync(s_timeout));
            Assert.Contains("needs its publish key", keyless.AllOutput, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(_events, e => e.GetProperty("path").GetString() == path);
        await using var keyed = Ffmpeg.Publish(Server.RtmpUrl($"{path}?key={feed.GetProperty("publishKey").GetString()}"), seconds: 20);
        await Server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 10, s_timeout);
        await WaitForEventAsync("publish", path);
    }

    [Fact]
    public async Task Play_IsAskedOnHlsAndRtmp_AndARefusalIsAnswered()
    {
        var open = NewPath("shown");
        var closed = NewPath("private");
        await using var first = Ffmpeg.Publish(Server.RtmpUrl(open), seconds: 60);
        await using var second = Ffmpeg.Publish(Server.RtmpUrl(closed), seconds: 60);
        await Server.WaitForStreamAsync(open, s => s.GetProperty("framesIn").GetInt64() > 25, s_timeout);
        await Server.WaitForStreamAsync(closed, s => s.GetProperty("framesIn").GetInt64() > 25, s_timeout);

        using (var allowed = await Server.Http.GetAsync($"/{open}/index.m3u8"))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        Assert.Equal("hls", (await WaitForEventAsync("play", open)).GetProperty("protocol").GetString());
        using (var refused = await Server.Http.GetAsync($"/{closed}/index.m3u8"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("refused by the play callback (HTTP 403)", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var (exitCode, output) = await ExternalProcess.RunAsync("ffmpeg", ["-hide_banner", "-nostats", "-i", Server.RtmpUrl(closed), "-t", "1", "-f", "null", "-"], s_timeout);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("refused by the play callback", output, StringComparison.Ordinal);
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().WaitAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            _ = AnswerAsync(context);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            var body = await JsonDocument.ParseAsync(context.Request.InputStream);
            var e = body.RootElement.Clone();
            _events.Enqueue(e);
            _arrived.Release();
            var path = e.GetProperty("path").GetString() ?? "";
            if (path.Contains("slow", StringComparison.Ordinal))
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }

            var refused = e.GetProperty("action").GetString() == "play" ? path.Contains("private", StringComparison.Ordinal) : path.Contains("deny", StringComparison.Ordinal);
            context.Response.StatusCode = refused ? 403 : 200;
            context.Response.Close();
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or ObjectDisposedException or JsonException)
        {
            // The test is over, or the server hung up.
        }
    }

    private async Task<JsonElement> WaitForEventAsync(string action, string path)
    {
        using var deadline = new CancellationTokenSource(s_timeout);
        while (true)
        {
            var found = _events.FirstOrDefault(e => e.GetProperty("action").GetString() == action && e.GetProperty("path").GetString() == path);
            if (found.ValueKind != JsonValueKind.Undefined)
            {
                return found;
            }

            await _arrived.WaitAsync(deadline.Token);
        }
    }

    private static string NewPath(string prefix) => $"live/{prefix}-{Guid.NewGuid():N}"[..28];
}
