using System.Net;
using System.Security.Cryptography.X509Certificates;
using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Security;

/// <summary>
/// TLS with a configured certificate (made by openssl for the test): RTMPS on its own port published and
/// played by ffmpeg, HTTPS (<c>--urls https://…</c>) serving HLS to ffmpeg and to a client that pins the
/// certificate; the same with a PKCS#12 file and its password; a certificate that cannot be read stops
/// the server with a clear message.
/// </summary>
public sealed class TlsTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly TempFiles _files = new();
    private string _certificate = "";
    private string _key = "";

    public async Task InitializeAsync()
    {
        _certificate = _files.File("server.pem");
        _key = _files.File("server.key");
        var (exit, output) = await ExternalProcess.RunAsync("openssl",
        [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", _key, "-out", _certificate,
        ], s_timeout);
        Assert.True(exit == 0, output);
    }

    public Task DisposeAsync()
    {
        _files.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PemCertificate_RtmpsPublishAndPlay_AndHlsOverHttps()
    {
        var rtmpsPort = FreePort.Tcp();
        var httpsPort = FreePort.Tcp();
        await using var server = await StartAsync(rtmpsPort, httpsPort, $"--LiveRelay:Tls:Certificate={_certificate}", $"--LiveRelay:Tls:Key={_key}");
        await server.Process.WaitForOutputAsync($"RTMPS listening on 127.0.0.1:{rtmpsPort} (certificate CN=127.0.0.1", s_timeout);

        await using var publisher = Ffmpeg.Publish($"rtmps://127.0.0.1:{rtmpsPort}/live/secure", seconds: 60);
        await server.WaitForStreamAsync("live/secure", s => s.GetProperty("framesIn").GetInt64() > 50, s_timeout);

        var rtmpsFile = _files.File("rtmps.flv");
        await using (var player = Ffmpeg.Record($"rtmps://127.0.0.1:{rtmpsPort}/live/secure", rtmpsFile, seconds: 2))
        {
            Assert.True(await player.WaitForExitAsync(s_timeout) == 0, player.AllOutput);
        }

        Assert.True(ProbeResult.Packets((await Ffmpeg.ProbeAsync(rtmpsFile)).Video) > 10);

        // A client that trusts exactly this certificate gets the playlist; ffmpeg plays HLS over HTTPS.
        using var expected = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(_certificate));
        using var pinned = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == expected.Thumbprint,
        });
        var playlist = await pinned.GetStringAsync($"https://127.0.0.1:{httpsPort}/live/secure/index.m3u8");
        Assert.StartsWith("#EXTM3U", playlist, StringComparison.Ordinal);
        var hlsFile = _files.File("https.ts");
        await using (var hls = Ffmpeg.Record($"https://127.0.0.1:{httpsPort}/live/secure/index.m3u8", hlsFile, seconds: 2))
        {
            Assert.True(await hls.WaitForExitAsync(s_timeout) == 0, hls.AllOutput);
        }

        Assert.True(ProbeResult.Packets((await Ffmpeg.ProbeAsync(hlsFile)).Video) > 10);

        // Plain RTMP keeps working beside it.
        Assert.Equal("rtmp", (await server.FindStreamAsync("live/secure"))!.Value.GetProperty("publisher").GetProperty("protocol").GetString());
    }

    [Fact]
    public async Task Pkcs12WithPassword_ServesHttpsAndRtmps()
    {
        var pfx = _files.File("server.pfx");
        var (exit, output) = await ExternalProcess.RunAsync("openssl",
            ["pkcs12", "-export", "-in", _certificate, "-inkey", _key, "-out", pfx, "-passout", "pass:pfx-password-1"], s_timeout);
        Assert.True(exit == 0, output);
        var rtmpsPort = FreePort.Tcp();
        var httpsPort = FreePort.Tcp();
        await using var server = await StartAsync(rtmpsPort, httpsPort, $"--LiveRelay:Tls:Certificate={pfx}", "--LiveRelay:Tls:Password=pfx-password-1");

        using var client = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, c, _, _) => c?.Subject == "CN=127.0.0.1" });
        using var health = await client.GetAsync($"https://127.0.0.1:{httpsPort}/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await using var publisher = Ffmpeg.Publish($"rtmps://127.0.0.1:{rtmpsPort}/live/pfx", seconds: 20);
        await server.WaitForStreamAsync("live/pfx", s => s.GetProperty("framesIn").GetInt64() > 25, s_timeout);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("garbage")]
    [InlineData("no-certificate")]
    public async Task UnreadableCertificate_StopsTheServerWithTheReason(string problem)
    {
        var garbage = _files.File("garbage.pem");
        await File.WriteAllTextAsync(garbage, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        string[] arguments = problem switch
        {
            "missing" => [$"--LiveRelay:Tls:Certificate={_files.File("nowhere.pem")}", "--LiveRelay:Rtmps:Port=0"],
            "garbage" => [$"--LiveRelay:Tls:Certificate={garbage}", $"--LiveRelay:Tls:Key={_key}"],
            _ => [$"--LiveRelay:Rtmps:Port={FreePort.Tcp()}"],
        };
        var workDir = Directory.CreateDirectory(Path.Combine(_files.Directory, "work-" + problem)).FullName;

        var (exit, output) = await ExternalProcess.RunAsync("dotnet", [ServerProcess.ServerAssembly, "--urls", $"http://127.0.0.1:{FreePort.Tcp()}", "--LiveRelay:Rtmp:Port=0", "--LiveRelay:Srt:Port=0", "--LiveRelay:WebRtc:UdpPort=0", "--LiveRelay:WebRtc:TcpPort=0", "--LiveRelay:DataDir=" + workDir, .. arguments], s_timeout);

        Assert.Equal(2, exit);
        Assert.Contains(problem switch
        {
            "missing" => "does not exist",
            "garbage" => "cannot be loaded",
            _ => "LiveRelay:Rtmps:Port needs a certificate",
        }, output, StringComparison.Ordinal);
    }

    private static Task<ServerProcess> StartAsync(int rtmpsPort, int httpsPort, params string[] tls) =>
        ServerProcess.StartWithHttpsAsync(httpsPort, [.. tls, $"--LiveRelay:Rtmps:Port={rtmpsPort}", "--LiveRelay:Rtmps:Address=127.0.0.1"]);
}
