using System.Diagnostics;
using System.Globalization;
using LiveRelay.LoadTest.Cli;
using LiveRelay.LoadTest.Infrastructure;

namespace LiveRelay.LoadTest.Servers;

/// <summary>
/// LiveRelay.Server started with <c>dotnet</c> on free loopback ports (HTTP, RTMP, the SRT UDP port
/// and the WebRTC UDP port), in a temporary working directory (so no configs/liverelay.json is picked up and its data
/// directory is private).
/// </summary>
internal sealed class LiveRelayServerProcess : IServerUnderTest
{
    public const string ServerName = "LiveRelay";
    private const string ReadyLine = "listening: HTTP";

    /// <summary>SRT latency of the publishers and the readers, as the server's default (LiveRelay:Srt:LatencyMs).</summary>
    public const int SrtLatencyMs = 120;
    private static readonly TimeSpan StartTimeLimit = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly OutputTail _output;
    private readonly TempDirectory _workDir;
    private readonly int _httpPort;
    private readonly int _rtmpPort;
    private readonly int _srtPort;
    private readonly int _webRtcPort;

    private LiveRelayServerProcess(Process process, OutputTail output, TempDirectory workDir, int httpPort, int rtmpPort, int srtPort, int webRtcPort)
    {
        _process = process;
        _output = output;
        _workDir = workDir;
        _httpPort = httpPort;
        _rtmpPort = rtmpPort;
        _srtPort = srtPort;
        _webRtcPort = webRtcPort;
        ProcessIds = [process.Id];
    }

    public string Name => ServerName;

    public string StartupMeaning => "start → /healthz 200";

    public TimeSpan StartupTime { get; private set; }

    public IReadOnlyList<int> ProcessIds { get; }

    public bool HasExited => _process.HasExited;

    public string RecentOutput => _output.Text();

    /// <summary>LiveRelay takes RTMP and SRT and serves every protocol the tool plays (WHEP on its WebRTC UDP port).</summary>
    public static string? Unavailable(IngestProtocol ingest, PlayerProtocol? protocol) => null;

    public static ServerTarget Target(string serverDll, HttpClient control) =>
        new(ServerName, Unavailable, ct => StartAsync(serverDll, control, ct));

    public static async Task<IServerUnderTest> StartAsync(string serverDll, HttpClient control, CancellationToken cancellationToken)
    {
        var ports = FreePorts.Take(2);
        var srtPort = FreePorts.NextUdp();
        var webRtcPort = FreePorts.NextUdp(except: srtPort);
        var workDir = new TempDirectory("liverelay-load-server-");
        var output = new OutputTail(capacity: 200, marker: ReadyLine);
        var inv = CultureInfo.InvariantCulture;
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var startedAt = Stopwatch.GetTimestamp();
        var process = ChildProcesses.Start(
            dotnet,
            [
                serverDll,
                "--urls", string.Create(inv, $"http://127.0.0.1:{ports[0]}"),
                string.Create(inv, $"--LiveRelay:Rtmp:Port={ports[1]}"),
                "--LiveRelay:Rtmp:Address=127.0.0.1",
                string.Create(inv, $"--LiveRelay:Srt:Port={srtPort}"),
                "--LiveRelay:Srt:Address=127.0.0.1",
                string.Create(inv, $"--LiveRelay:Srt:LatencyMs={SrtLatencyMs}"),

                // WHEP: ICE-lite on one UDP port; bound to loopback, so the answer's one candidate is 127.0.0.1.
                string.Create(inv, $"--LiveRelay:WebRtc:UdpPort={webRtcPort}"),
                "--LiveRelay:WebRtc:Address=127.0.0.1",

                // No ICE-TCP listener (default TCP 8189, which another server may hold): the WHEP readers use UDP.
                "--LiveRelay:WebRtc:TcpPort=0",
                $"--LiveRelay:DataDir={Path.Combine(workDir.Path, "data")}",
                "--LiveRelay:Auth:AllowAnonymousPublish=true",
                "--LiveRelay:Auth:AllowAnonymousPlay=true",
            ],
            output,
            workDir.Path);
        var server = new LiveRelayServerProcess(process, output, workDir, ports[0], ports[1], srtPort, webRtcPort);
        try
        {
            server.StartupTime = await ReadinessProbe.WaitAsync(
                control, new Uri(string.Create(inv, $"http://127.0.0.1:{ports[0]}/healthz")), status => status == 200,
                startedAt, StartTimeLimit, () => process.HasExited, cancellationToken).ConfigureAwait(false);
            await output.MarkerSeen.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            var log = server.RecentOutput;
            await server.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"LiveRelay did not start ({ex.Message}). Its last output:{Environment.NewLine}{log}", ex);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public Uri? MetricsUri => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_httpPort}/metrics"));

    public Uri PublishUri(IngestProtocol ingest, string stream) => ingest switch
    {
        IngestProtocol.Rtmp => RtmpUri(stream),
        IngestProtocol.Srt => SrtUri("publish", stream),
        _ => throw new NotSupportedException($"no {ingest.Name()} ingest"),
    };

    public Uri PlaylistUri(string stream) => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_httpPort}/live/{stream}/index.m3u8"));

    public Uri? PlayUri(PlayerProtocol protocol, string stream) => protocol switch
    {
        PlayerProtocol.Rtmp => RtmpUri(stream),
        PlayerProtocol.Flv => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_httpPort}/live/{stream}.flv")),
        PlayerProtocol.Hls => PlaylistUri(stream),
        PlayerProtocol.Srt => SrtUri("read", stream),
        PlayerProtocol.Whep => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_httpPort}/whep/live/{stream}")),
        _ => null,
    };

    private Uri RtmpUri(string stream) => new(string.Create(CultureInfo.InvariantCulture, $"rtmp://127.0.0.1:{_rtmpPort}/live/{stream}"));

    /// <summary>An SRT caller URI as ffmpeg takes it: the streamid picks the direction, latency is in microseconds.</summary>
    private Uri SrtUri(string mode, string stream) => new(string.Create(
        CultureInfo.InvariantCulture, $"srt://127.0.0.1:{_srtPort}?streamid={mode}:live/{stream}&latency={SrtLatencyMs * 1000}"));

    public ValueTask DisposeAsync()
    {
        ChildProcesses.Kill(_process);
        _workDir.Dispose();
        return ValueTask.CompletedTask;
    }
}
