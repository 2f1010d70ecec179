using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using LiveRelay.Integration.Tests.Infrastructure;
using LiveRelay.Integration.Tests.Newsroom;
using LiveRelay.Integration.Tests.Pulling;

namespace LiveRelay.Integration.Tests.Sources;

/// <summary>
/// Pulls and relays over TLS (<c>rtsps://</c>, <c>rtmps://</c>) through socat's OpenSSL terminator in
/// front of gst-rtsp-server and ffmpeg, and pulls and relays kept across a restart. A server of its
/// own, which trusts the test certificate through <c>SSL_CERT_FILE</c> (as a station would install
/// its CA) and is restarted here.
/// </summary>
public sealed class SecureAndKeptSourcesTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(45);
    private readonly TempFiles _files = new();
    private ServerProcess? _server;
    private string _certificate = "";
    private string _key = "";

    private ServerProcess Server => _server ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _certificate = _files.File("tls.pem");
        _key = _files.File("tls.key");
        var (exit, output) = await ExternalProcess.RunAsync("openssl",
        [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", _key, "-out", _certificate,
        ], s_wait);
        Assert.True(exit == 0, output);
        _server = await ServerProcess.StartAsync(
            new Dictionary<string, string> { ["SSL_CERT_FILE"] = _certificate },
            $"--LiveRelay:Auth:AdminToken={ServerProcess.TestAdminToken}",
            "--LiveRelay:Pulls:0:Path=cams/configured",
            $"--LiveRelay:Pulls:0:Url=rtsp://127.0.0.1:{FreePort.Tcp()}/none",
            "--LiveRelay:Pulls:0:OnDemand=true");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _files.Dispose();
    }

    [Fact]
    public async Task RtspsPull_ThroughATlsTerminator_IsLive()
    {
        var cameraPort = FreePort.Tcp();
        var tlsPort = FreePort.Tcp();
        var path = $"cams/tls-{Guid.NewGuid():N}"[..24];
        await using var camera = await RtspPullTests.StartCameraAsync(cameraPort);
        await using var tls = await TerminateTlsAsync(tlsPort, cameraPort);

        var (status, pull) = await Server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path, url = $"rtsps://127.0.0.1:{tlsPort}/test" });

        Assert.True(status == HttpStatusCode.Created, pull.ToString());
        var id = pull.GetProperty("id").GetString()!;
        var stream = await Server.WaitForStreamAsync(path, s => s.GetProperty("framesIn").GetInt64() > 75 && s.GetProperty("audio").ValueKind == JsonValueKind.Object, s_wait);
        Assert.Equal("rtsps-pull", stream.GetProperty("publisher").GetProperty("protocol").GetString());
        Assert.Equal("H264", stream.GetProperty("video").GetProperty("codec").GetString());
        await Server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{id}");
    }

    [Fact]
    public async Task RtmpsRelay_ThroughATlsTerminator_DeliversH264AndAac()
    {
        var source = $"live/tls-{Guid.NewGuid():N}"[..24];
        var rtmpPort = FreePort.Tcp();
        var tlsPort = FreePort.Tcp();
        var received = _files.File("rtmps-received.flv");
        await using var receiver = ExternalProcess.Start("ffmpeg",
            ["-hide_banner", "-loglevel", "info", "-y", "-listen", "1", "-i", $"rtmp://127.0.0.1:{rtmpPort}/push/key", "-t", "3", "-c", "copy", received]);
        await using var tls = await TerminateTlsAsync(tlsPort, rtmpPort);
        await using var publisher = await new NewsroomDriver(Server).PublishAsync(source, seconds: 60);

        var (status, relay) = await Server.AdminAsync(HttpMethod.Post, "/api/relays", new { source, url = $"rtmps://127.0.0.1:{tlsPort}/push/key" });

        Assert.True(status == HttpStatusCode.Created, relay.ToString());
        Assert.Equal($"rtmps://127.0.0.1:{tlsPort}/push/…", relay.GetProperty("url").GetString());
        Assert.True(await receiver.WaitForExitAsync(s_wait) == 0, receiver.AllOutput);
        var probe = await Ffmpeg.ProbeAsync(received);
        Assert.Equal("h264", probe.Video.GetProperty("codec_name").GetString());
        Assert.Equal("aac", probe.Audio.GetProperty("codec_name").GetString());
        await Server.AdminAsync(HttpMethod.Delete, $"/api/relays/{relay.GetProperty("id").GetString()}");
    }

    [Fact]
    public async Task RtmpsPull_ToAnUntrustedCertificate_RetriesWithTheTlsReason()
    {
        var otherCertificate = _files.File("other.pem");
        var otherKey = _files.File("other.key");
        var (exit, output) = await ExternalProcess.RunAsync("openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", otherKey, "-out", otherCertificate], s_wait);
        Assert.True(exit == 0, output);
        var tlsPort = FreePort.Tcp();
        await using var tls = await TerminateTlsAsync(tlsPort, FreePort.Tcp(), otherCertificate, otherKey);

        var (_, pull) = await Server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path = $"cams/bad-{Guid.NewGuid():N}"[..24], url = $"rtmps://127.0.0.1:{tlsPort}/live/cam" });

        var id = pull.GetProperty("id").GetString()!;
        var retrying = await RtspPullTests.WaitForPullAsync(Server, id, p => p.GetProperty("state").GetString() == "retrying");
        Assert.Contains("TLS with 127.0.0.1 failed", retrying.GetProperty("lastError").GetString());
        await Server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{id}");
    }

    [Fact]
    public async Task PullsAndRelays_AddedChangedThroughTheApi_AreKeptAcrossARestart()
    {
        var (status, pull) = await Server.AdminAsync(HttpMethod.Post, "/api/pulls", new { path = "cams/kept", url = "rtsp://admin:pw@127.0.0.1:9/cam", transport = "udp", onDemand = true, idleSeconds = 45 });
        Assert.True(status == HttpStatusCode.Created, pull.ToString());
        var pullId = pull.GetProperty("id").GetString()!;
        Assert.Equal("api", pull.GetProperty("origin").GetString());
        var (_, relay) = await Server.AdminAsync(HttpMethod.Post, "/api/relays", new { source = "live/kept", url = "rtmp://127.0.0.1:9/push/old-key" });
        var relayId = relay.GetProperty("id").GetString()!;

        var (changedStatus, changed) = await Server.AdminAsync(HttpMethod.Put, $"/api/pulls/{pullId}", new { path = "cams/kept2" });
        Assert.True(changedStatus == HttpStatusCode.OK, changed.ToString());
        Assert.Equal("cams/kept2", changed.GetProperty("path").GetString());
        Assert.Equal("udp", changed.GetProperty("transport").GetString());
        Assert.Equal(45, changed.GetProperty("idleSeconds").GetInt32());
        var (relayStatus, changedRelay) = await Server.AdminAsync(HttpMethod.Put, $"/api/relays/{relayId}", new { url = "rtmp://127.0.0.1:9/push/new-key" });
        Assert.Equal(HttpStatusCode.OK, relayStatus);
        Assert.Equal(relayId, changedRelay.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await Server.AdminAsync(HttpMethod.Put, $"/api/pulls/{pullId}", new { path = "cams/configured" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.AdminAsync(HttpMethod.Put, "/api/pulls/nope", new { path = "cams/x" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Server.AdminAsync(HttpMethod.Put, $"/api/pulls/{pullId}", new { transport = "carrier-pigeon" })).Status);

        _server = await Server.RestartAsync(() => Task.CompletedTask);

        var pulls = (await Server.AdminAsync(HttpMethod.Get, "/api/pulls")).Body.EnumerateArray().ToList();
        var kept = Assert.Single(pulls, p => p.GetProperty("id").GetString() == pullId);
        Assert.Equal("cams/kept2", kept.GetProperty("path").GetString());
        Assert.True(kept.GetProperty("onDemand").GetBoolean());
        Assert.Equal("idle", kept.GetProperty("state").GetString());
        var configured = Assert.Single(pulls, p => p.GetProperty("id").GetString() == "config-0");
        Assert.Equal("config", configured.GetProperty("origin").GetString());
        var relays = (await Server.AdminAsync(HttpMethod.Get, "/api/relays")).Body.EnumerateArray().ToList();
        Assert.Equal("live/kept", Assert.Single(relays, r => r.GetProperty("id").GetString() == relayId).GetProperty("source").GetString());

        // Removed through the API: gone after the next restart too.
        Assert.Equal(HttpStatusCode.NoContent, (await Server.AdminAsync(HttpMethod.Delete, $"/api/pulls/{pullId}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Server.AdminAsync(HttpMethod.Delete, $"/api/relays/{relayId}")).Status);
        _server = await Server.RestartAsync(() => Task.CompletedTask);
        Assert.DoesNotContain((await Server.AdminAsync(HttpMethod.Get, "/api/pulls")).Body.EnumerateArray(), p => p.GetProperty("id").GetString() == pullId);
        Assert.Empty((await Server.AdminAsync(HttpMethod.Get, "/api/relays")).Body.EnumerateArray());
    }

    /// <summary>socat accepting TLS on <paramref name="port"/> with the test certificate and passing the bytes to <paramref name="target"/>.</summary>
    private async Task<ExternalProcess> TerminateTlsAsync(int port, int target, string? certificate = null, string? key = null)
    {
        var socat = ExternalProcess.Start("socat",
        [
            "-d", $"OPENSSL-LISTEN:{port.ToString(CultureInfo.InvariantCulture)},bind=127.0.0.1,reuseaddr,fork,verify=0,cert={certificate ?? _certificate},key={key ?? _key}",
            $"TCP:127.0.0.1:{target.ToString(CultureInfo.InvariantCulture)}",
        ]);
        using var deadline = new CancellationTokenSource(s_wait);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, deadline.Token);
                return socat;
            }
            catch (SocketException)
            {
                await Task.Delay(50, deadline.Token);
            }
        }
    }
}
