using System.Net;
using System.Net.Sockets;
using LiveRelay.Integration.Tests.Infrastructure;

namespace LiveRelay.Integration.Tests.Hosting;

/// <summary>Start-up, configuration layering and health, each on a server of its own.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public async Task Start_InvalidValue_ExitsWithMessageNamingTheKey()
    {
        var (exit, output) = await ExternalProcess.RunAsync(
            "dotnet",
            [ServerProcess.ServerAssembly, "--urls", $"http://127.0.0.1:{FreePort.Tcp()}", "--LiveRelay:Hls:SegmentSeconds=0", "--LiveRelay:Rtmp:Port=70000"],
            TimeSpan.FromSeconds(60));

        Assert.Equal(2, exit);
        Assert.Contains("LiveRelay:Hls:SegmentSeconds must be", output, StringComparison.Ordinal);
        Assert.Contains("LiveRelay:Rtmp:Port must be", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("srt")]
    [InlineData("rtmp")]
    public async Task Start_PortInUse_ExitsWithMessageNamingTheListener(string taken)
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var tcp = new TcpListener(IPAddress.Loopback, 0);
        tcp.Start();
        var srtPort = taken == "srt" ? ((IPEndPoint)udp.LocalEndPoint!).Port : FreePort.Udp();
        var rtmpPort = taken == "rtmp" ? ((IPEndPoint)tcp.LocalEndpoint).Port : FreePort.Tcp();

        var (exit, output) = await ExternalProcess.RunAsync(
            "dotnet",
            [ServerProcess.ServerAssembly, "--urls", $"http://127.0.0.1:{FreePort.Tcp()}",
             "--LiveRelay:Srt:Address=127.0.0.1", $"--LiveRelay:Srt:Port={srtPort}",
             "--LiveRelay:Rtmp:Address=127.0.0.1", $"--LiveRelay:Rtmp:Port={rtmpPort}"],
            TimeSpan.FromSeconds(60));

        Assert.Equal(1, exit);
        Assert.Contains("LiveRelay cannot start:", output, StringComparison.Ordinal);
        Assert.Contains(taken == "srt" ? $"UDP 127.0.0.1:{srtPort}" : $"{rtmpPort}", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ConfigFileThenEnvironmentThenArguments_LaterSourcesWin()
    {
        using var files = new TempFiles();
        var fromFile = FreePort.Tcp();
        var fromEnvironment = FreePort.Tcp();
        var httpPort = FreePort.Tcp();
        var config = files.File("relay.json");
        await File.WriteAllTextAsync(config, $$"""
            { "LiveRelay": { "Rtmp": { "Port": {{fromFile}}, "Address": "127.0.0.1" }, "Hls": { "SegmentSeconds": 3 } }, "Urls": "http://127.0.0.1:1" }
            """);

        await using var server = ExternalProcess.Start(
            "dotnet",
            [ServerProcess.ServerAssembly, "--config", config, "--urls", $"http://127.0.0.1:{httpPort}", "--LiveRelay:Srt:Port=0"],
            files.Directory,
            new Dictionary<string, string> { ["LIVERELAY__Rtmp__Port"] = fromEnvironment.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await server.WaitForOutputAsync("listening: HTTP", TimeSpan.FromSeconds(60));

        Assert.Contains($"RTMP 127.0.0.1:{fromEnvironment}", server.AllOutput, StringComparison.Ordinal);
        using var rtmp = new TcpClient();
        await rtmp.ConnectAsync(IPAddress.Loopback, fromEnvironment);
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{httpPort}/healthz")).StatusCode);
    }

    [Fact]
    public async Task Start_NamedConfigFileMissing_ExitsWithMessage()
    {
        var (exit, output) = await ExternalProcess.RunAsync(
            "dotnet",
            [ServerProcess.ServerAssembly, "--config", "/nonexistent/liverelay.json"],
            TimeSpan.FromSeconds(60));

        Assert.Equal(2, exit);
        Assert.Contains("/nonexistent/liverelay.json does not exist", output, StringComparison.Ordinal);
    }
}

[Collection(ServerCollection.Name)]
public sealed class HealthTests(ServerFixture fixture)
{
    [Fact]
    public async Task Healthz_ServerStartedWithUnknownKeys_Answers200()
    {
        using var response = await fixture.Server.Http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"status\":\"ok\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_Document_DescribesTheStreamsApi()
    {
        var document = await fixture.Server.Http.GetStringAsync("/openapi/v1.json");

        Assert.Contains("/api/streams", document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Media_UnknownStream_Is404WithExplanation()
    {
        using var flv = await fixture.Server.Http.GetAsync("/live/nobody.flv");
        using var hls = await fixture.Server.Http.GetAsync("/live/nobody/index.m3u8");

        Assert.Equal(HttpStatusCode.NotFound, flv.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, hls.StatusCode);
        Assert.Contains("No stream is live at live/nobody", await flv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
