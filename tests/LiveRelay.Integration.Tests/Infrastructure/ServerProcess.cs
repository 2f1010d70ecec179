using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace LiveRelay.Integration.Tests.Infrastructure;

/// <summary>
/// The real server, started from its build output with <c>dotnet LiveRelay.Server.dll</c> on free
/// loopback ports, from an empty working directory (so it runs on built-in defaults).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly string[] _extraArguments;
    private readonly IDictionary<string, string>? _environment;

    private ServerProcess(ExternalProcess process, int httpPort, int rtmpPort, int srtPort, string workDir, string[] extraArguments, IDictionary<string, string>? environment)
    {
        _extraArguments = extraArguments;
        _environment = environment;
        SrtPort = srtPort;
        Process = process;
        HttpPort = httpPort;
        RtmpPort = rtmpPort;
        WorkDir = workDir;
        Http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public ExternalProcess Process { get; }

    public int HttpPort { get; }

    public int RtmpPort { get; }

    public int SrtPort { get; }

    /// <summary>The WebRTC UDP port (ICE-lite, one for every peer).</summary>
    public int WebRtcPort { get; private init; }

    /// <summary>The ICE-TCP port.</summary>
    public int WebRtcTcpPort { get; private init; }

    /// <summary>An SRT URL as users paste it for ffmpeg (which passes the streamid on verbatim).</summary>
    public string SrtUrl(string streamId) => $"srt://127.0.0.1:{SrtPort}?streamid={streamId}";

    public string WorkDir { get; }

    public HttpClient Http { get; }

    public string RtmpUrl(string path) => $"rtmp://127.0.0.1:{RtmpPort}/{path}";

    public string HttpUrl(string pathAndQuery) => $"http://127.0.0.1:{HttpPort}/{pathAndQuery.TrimStart('/')}";

    public string Log => Process.AllOutput;

    /// <summary>Path of the built server assembly, next to this test build's configuration.</summary>
    public static string ServerAssembly
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = Path.Combine(RepositoryRoot, "src", "LiveRelay.Server", "bin", configuration, "net10.0", "LiveRelay.Server.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build the server first.", path);
        }
    }

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LiveRelay.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("LiveRelay.sln not found above the test directory.");
        }
    }

    public static Task<ServerProcess> StartAsync(params string[] extraArguments) =>
        StartAsync(Directory.CreateTempSubdirectory("liverelay-it-").FullName, FreePort.Tcp(), FreePort.Tcp(), FreePort.Udp(), FreePort.Udp(), FreePort.Tcp(), extraArguments, null);

    /// <summary>A server of its own that also listens for HTTPS on <paramref name="httpsPort"/> (give it a certificate in the arguments).</summary>
    public static Task<ServerProcess> StartWithHttpsAsync(int httpsPort, params string[] extraArguments) =>
        StartAsync(Directory.CreateTempSubdirectory("liverelay-it-").FullName, FreePort.Tcp(), FreePort.Tcp(), FreePort.Udp(), FreePort.Udp(), FreePort.Tcp(), extraArguments, null, $";https://127.0.0.1:{httpsPort}");

    /// <summary>A server of its own with environment variables set (e.g. <c>SSL_CERT_FILE</c> to trust a test CA).</summary>
    public static Task<ServerProcess> StartAsync(IDictionary<string, string> environment, params string[] extraArguments) =>
        StartAsync(Directory.CreateTempSubdirectory("liverelay-it-").FullName, FreePort.Tcp(), FreePort.Tcp(), FreePort.Udp(), FreePort.Udp(), FreePort.Tcp(), extraArguments, environment);

    /// <summary>
    /// Stops this server, keeping its working directory, runs <paramref name="whileDown"/>, and starts a
    /// new server there on the same ports.
    /// </summary>
    public async Task<ServerProcess> RestartAsync(Func<Task> whileDown)
    {
        ArgumentNullException.ThrowIfNull(whileDown);
        Http.Dispose();
        await Process.DisposeAsync();
        await whileDown();
        return await StartAsync(WorkDir, HttpPort, RtmpPort, SrtPort, WebRtcPort, WebRtcTcpPort, _extraArguments, _environment);
    }

    private static async Task<ServerProcess> StartAsync(string workDir, int httpPort, int rtmpPort, int srtPort, int webRtcPort, int webRtcTcpPort, string[] extraArguments, IDictionary<string, string>? environment, string extraUrls = "")
    {
        string[] arguments =
        [
            ServerAssembly,
            "--urls", $"http://127.0.0.1:{httpPort}{extraUrls}",
            $"--LiveRelay:Rtmp:Port={rtmpPort}",
            "--LiveRelay:Rtmp:Address=127.0.0.1",
            $"--LiveRelay:Srt:Port={srtPort}",
            "--LiveRelay:Srt:Address=127.0.0.1",
            $"--LiveRelay:WebRtc:UdpPort={webRtcPort}",
            $"--LiveRelay:WebRtc:TcpPort={webRtcTcpPort}",
            "--LiveRelay:WebRtc:Address=127.0.0.1",
            "--LiveRelay:DataDir=data",

            // Most tests are about media, not keys: open unless a test says otherwise (later arguments win).
            "--LiveRelay:Auth:AllowAnonymousPublish=true",
            "--LiveRelay:Auth:AllowAnonymousPlay=true",
            .. extraArguments,
        ];
        var process = ExternalProcess.Start("dotnet", arguments, workDir, environment);
        var server = new ServerProcess(process, httpPort, rtmpPort, srtPort, workDir, extraArguments, environment) { WebRtcPort = webRtcPort, WebRtcTcpPort = webRtcTcpPort };
        try
        {
            await process.WaitForOutputAsync("listening: HTTP", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException("The server did not start:\n" + ExternalProcess.Tail(process.AllOutput));
        }

        return server;
    }

    /// <summary>The admin API token the shared fixture starts the server with.</summary>
    public const string TestAdminToken = "integration-admin-token-5b0e2c7d";

    /// <summary>
    /// Calls the admin API with <see cref="TestAdminToken"/> as the bearer and a JSON body (camelCase),
    /// and returns the status with the JSON answer (an undefined element when the body is empty).
    /// </summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> AdminAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestAdminToken);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: new JsonSerializerOptions(JsonSerializerDefaults.Web));
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The stream's entry in /api/streams, or null when it is not listed.</summary>
    public async Task<JsonElement?> FindStreamAsync(string path)
    {
        foreach (var stream in (await GetJsonAsync("/api/streams")).EnumerateArray())
        {
            if (stream.GetProperty("path").GetString() == path)
            {
                return stream;
            }
        }

        return null;
    }

    /// <summary>
    /// Polls the stream's API entry (every 100 ms) until <paramref name="condition"/> holds: the API is
    /// the only view of some states (link statistics), so there is no event to await.
    /// </summary>
    public async Task<JsonElement> WaitForStreamAsync(string path, Func<JsonElement, bool> condition, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        JsonElement? last = null;
        while (!deadline.IsCancellationRequested)
        {
            last = await FindStreamAsync(path);
            if (last is { } stream && condition(stream))
            {
                return stream;
            }

            try
            {
                await Task.Delay(100, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException($"{path} did not reach the expected state in {timeout.TotalSeconds} s; last seen: {last?.ToString() ?? "not listed"}");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
        try
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
