using System.Net;
using System.Net.Sockets;
using LiveRelay.Integration.Tests.Infrastructure;
using LiveRelay.Protocols.Rtmp.Client;
using LiveRelay.Protocols.Srt;

namespace LiveRelay.Integration.Tests.Security;

/// <summary>
/// Each limit of <c>LiveRelay:Limits</c> against a server with tiny values: connections per address,
/// publishers, players per stream, a publisher's bitrate, a publisher that sends nothing. Each refusal
/// reaches the client, is counted in /metrics and logged; streams within the limits are untouched.
/// </summary>
public sealed class LimitsTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private ServerProcess? _server;

    private ServerProcess Server => _server!;

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartAsync(
            "--LiveRelay:Limits:MaxConnectionsPerAddress=12",
            "--LiveRelay:Limits:MaxPublishers=3",
            "--LiveRelay:Limits:MaxPlayersPerStream=2",
            "--LiveRelay:Limits:MaxPublishBitrateMbps=2",
            "--LiveRelay:Limits:PublisherIdleSeconds=3",
            "--LiveRelay:Publish:ReconnectGraceSeconds=0");

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task ConnectionsPerAddress_OverTheLimitAreClosedAtOnce_AndTheServerStillAnswers()
    {
        var held = new List<TcpClient>();
        try
        {
            // The test's own HTTP client may hold a keep-alive connection: fill up to the limit, then one more.
            for (var i = 0; i < 13; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Server.RtmpPort);
                held.Add(client);
            }

            // The newest connections are the ones over the limit: look from the end.
            var refusedAt = -1;
            for (var i = held.Count - 1; i >= 0; i--)
            {
                var buffer = new byte[1];
                var read = await ReadOrTimeoutAsync(held[i], buffer);
                if (read == 0)
                {
                    refusedAt = i;
                    break;
                }
            }

            Assert.True(refusedAt >= 0, "a connection over the per-address limit was closed");
            await Server.Process.WaitForOutputAsync("over LiveRelay:Limits:MaxConnectionsPerAddress (12)", s_timeout);
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }

        var metrics = await Server.Http.GetStringAsync("/metrics");
        Assert.Contains("reason=\"limit_address\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publishers_PlayersAndBitrate_AreLimited()
    {
        try
        {
            await PublishersPlayersAndBitrateAsync();
        }
        catch (Exception ex) when (ex is TimeoutException)
        {
            throw new TimeoutException(ex.Message + "\n" + ExternalProcess.Tail(Server.Log, 60), ex);
        }
    }

    private async Task PublishersPlayersAndBitrateAsync()
    {
        await using var first = Ffmpeg.Publish(Server.RtmpUrl("live/limit-1"), seconds: 60);
        await using var second = Ffmpeg.Publish(Server.RtmpUrl("live/limit-2"), seconds: 60);
        await using var third = Ffmpeg.Publish(Server.RtmpUrl("live/limit-3"), seconds: 60);
        await Server.WaitForStreamAsync("live/limit-1", s => s.GetProperty("framesIn").GetInt64() > 10, s_timeout);
        await Server.WaitForStreamAsync("live/limit-2", s => s.GetProperty("framesIn").GetInt64() > 10, s_timeout);
        await Server.WaitForStreamAsync("live/limit-3", s => s.GetProperty("framesIn").GetInt64() > 10, s_timeout);

        await using (var fourth = Ffmpeg.Publish(Server.RtmpUrl("live/limit-4"), seconds: 5))
        {
            Assert.NotEqual(0, await fourth.WaitForExitAsync(s_timeout));
            Assert.Contains("LiveRelay:Limits:MaxPublishers", fourth.AllOutput, StringComparison.Ordinal);
        }

        // Two players fill live/limit-1; the third is refused with the reason, over RTMP and HTTP-FLV.
        await using var playerA = Ffmpeg.Record(Server.RtmpUrl("live/limit-1"), Path.Combine(Path.GetTempPath(), $"a-{Guid.NewGuid():N}.flv"), seconds: 50);
        await using var playerB = Ffmpeg.Record(Server.HttpUrl("live/limit-1.flv"), Path.Combine(Path.GetTempPath(), $"b-{Guid.NewGuid():N}.flv"), seconds: 50);
        await Server.WaitForStreamAsync("live/limit-1", s => s.GetProperty("readerCount").GetInt32() == 2, s_timeout);
        var (exitCode, output) = await ExternalProcess.RunAsync("ffmpeg", ["-hide_banner", "-nostats", "-i", Server.RtmpUrl("live/limit-1"), "-t", "1", "-f", "null", "-"], s_timeout);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("LiveRelay:Limits:MaxPlayersPerStream", output, StringComparison.Ordinal);
        using var flv = await Server.Http.GetAsync("/live/limit-1.flv", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, flv.StatusCode);

        // A publisher over 2 Mbit/s (a 6 Mbit/s encode, in the place the third publisher leaves) is cut off with the figure; the others carry on.
        await third.DisposeAsync();
        await WaitUntilGoneAsync("live/limit-3");
        await using var heavy = ExternalProcess.Start("ffmpeg",
        [
            "-hide_banner", "-nostats", "-re", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-t", "60",
            "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "6M", "-minrate", "6M", "-maxrate", "6M", "-bufsize", "1M", "-x264-params", "nal-hrd=cbr",
            "-f", "flv", Server.RtmpUrl("live/limit-heavy"),
        ]);
        await Server.Process.WaitForOutputAsync("Publisher of live/limit-heavy closed by the server: it sent", s_timeout);
        Assert.NotEqual(0, await heavy.WaitForExitAsync(s_timeout));
        Assert.Contains("over the limit of 2 Mbit/s", Server.Log, StringComparison.Ordinal);
        var frames = (await Server.FindStreamAsync("live/limit-2"))!.Value.GetProperty("framesIn").GetInt64();
        await Server.WaitForStreamAsync("live/limit-2", s => s.GetProperty("framesIn").GetInt64() > frames + 25, s_timeout);
        var metrics = await Server.Http.GetStringAsync("/metrics");
        Assert.Contains("reason=\"TooManyPublishers\"", metrics, StringComparison.Ordinal);
        Assert.Contains("reason=\"limit_players\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SrtCallersAndWebRtcSessionsPerAddress_OverTheLimitAreRefused()
    {
        await using var server = await ServerProcess.StartAsync("--LiveRelay:Limits:MaxConnectionsPerAddress=3");
        await using var publisher = Ffmpeg.Publish(server.SrtUrl("publish:live/srt-limit"), seconds: 60, format: "mpegts");
        await server.WaitForStreamAsync("live/srt-limit", s => s.GetProperty("framesIn").GetInt64() > 25, s_timeout);
        using var first = SrtSocket.Create();
        using var second = SrtSocket.Create();
        using var third = SrtSocket.Create();
        foreach (var reader in new[] { first, second })
        {
            reader.SetStreamId("read:live/srt-limit");
            await Task.Run(() => reader.Connect(new IPEndPoint(IPAddress.Loopback, server.SrtPort)));
        }

        await server.WaitForStreamAsync("live/srt-limit", s => s.GetProperty("readerCount").GetInt32() == 2, s_timeout);
        third.SetStreamId("read:live/srt-limit");
        third.SetConnectTimeout(5000);
        await Assert.ThrowsAsync<SrtException>(() => Task.Run(() => third.Connect(new IPEndPoint(IPAddress.Loopback, server.SrtPort))));

        Assert.Equal(SrtRejectReason.Overload, third.RejectReason);
        await server.Process.WaitForOutputAsync("127.0.0.1 has 3 SRT connections, the most one address may have", s_timeout);
        Assert.Contains("liverelay_connections_rejected_total{protocol=\"srt\",reason=\"limit_address\"}", await server.Http.GetStringAsync("/metrics"), StringComparison.Ordinal);

        // WHIP/WHEP sessions per address (one HTTP connection can ask for many): the fourth is 503.
        for (var i = 0; i < 3; i++)
        {
            using var created = await WhipAsync(server, $"live/whip-limit-{i}");
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var refused = await WhipAsync(server, "live/whip-limit-3");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("WebRTC sessions, the most one address may have", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> WhipAsync(ServerProcess server, string path)
    {
        using var offer = new StringContent(WebRtc.Offers.H264AndOpus, System.Text.Encoding.UTF8, "application/sdp");
        return await server.Http.PostAsync($"/whip/{path}", offer);
    }

    [Fact]
    public async Task PublisherThatSendsNothing_IsClosedAfterTheIdleTimeout()
    {
        Assert.True(RtmpUrl.TryParse($"rtmp://127.0.0.1:{Server.RtmpPort}/live/silent", out var url, out var error), error);
        using var deadline = new CancellationTokenSource(s_timeout);
        await using var client = await RtmpClient.ConnectAsync(url!, deadline.Token);
        await client.PublishAsync(deadline.Token);
        Assert.NotNull(await Server.FindStreamAsync("live/silent"));

        // The server closes the connection: the read ends (null, or the socket's reset) before the deadline.
        try
        {
            while (await client.ReadMessageAsync(deadline.Token) is { } message)
            {
                message.Payload.Release();
            }
        }
        catch (IOException)
        {
        }

        Assert.False(deadline.IsCancellationRequested, "the silent publisher was closed");
        await Server.Process.WaitForOutputAsync("Publisher of live/silent closed by the server: no media for 3 s", s_timeout);
    }

    private async Task WaitUntilGoneAsync(string path)
    {
        using var deadline = new CancellationTokenSource(s_timeout);
        while (await Server.FindStreamAsync(path) is not null)
        {
            await Task.Delay(100, deadline.Token);
        }
    }

    private static async Task<int> ReadOrTimeoutAsync(TcpClient client, byte[] buffer)
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        try
        {
            return await client.GetStream().ReadAsync(buffer, wait.Token);
        }
        catch (OperationCanceledException)
        {
            return -1;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
