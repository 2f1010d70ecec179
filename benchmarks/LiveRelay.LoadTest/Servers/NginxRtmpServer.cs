using System.Diagnostics;
using System.Globalization;
using LiveRelay.LoadTest.Cli;
using LiveRelay.LoadTest.Infrastructure;
using LiveRelay.LoadTest.Measurement;

namespace LiveRelay.LoadTest.Servers;

/// <summary>
/// nginx with libnginx-mod-rtmp, started in the foreground with a temporary prefix and config
/// (<see cref="NginxConfig"/>). Its CPU and memory are the master's plus the worker's.
/// </summary>
internal sealed class NginxRtmpServer : IServerUnderTest
{
    public const string ServerName = "nginx-rtmp";
    public const string Nginx = "/usr/sbin/nginx";
    private static readonly TimeSpan StartTimeLimit = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly OutputTail _output;
    private readonly TempDirectory _prefix;
    private readonly int _httpPort;
    private readonly int _rtmpPort;

    private NginxRtmpServer(Process process, OutputTail output, TempDirectory prefix, int httpPort, int rtmpPort)
    {
        _process = process;
        _output = output;
        _prefix = prefix;
        _httpPort = httpPort;
        _rtmpPort = rtmpPort;
        ProcessIds = [process.Id];
    }

    public string Name => ServerName;

    public string StartupMeaning => "start → first HTTP answer";

    public TimeSpan StartupTime { get; private set; }

    public IReadOnlyList<int> ProcessIds { get; private set; }

    public bool HasExited => _process.HasExited;

    public string RecentOutput
    {
        get
        {
            var errorLog = Path.Combine(_prefix.Path, "logs", "error.log");
            var logged = File.Exists(errorLog) ? string.Join(Environment.NewLine, File.ReadLines(errorLog).TakeLast(20).Select(l => "    | " + l)) : "";
            return _output.Text() + Environment.NewLine + logged;
        }
    }

    /// <summary>nginx-rtmp takes RTMP only and serves RTMP and HLS; it has no HTTP-FLV (that is a different module), no SRT and no WebRTC.</summary>
    public static string? Unavailable(IngestProtocol ingest, PlayerProtocol? protocol) => (ingest, protocol) switch
    {
        (not IngestProtocol.Rtmp, _) => $"not available: nginx-rtmp has no {ingest.Name()} ingest",
        (_, null or PlayerProtocol.Rtmp or PlayerProtocol.Hls) => null,
        (_, PlayerProtocol.Flv) => "not available: nginx-rtmp has no HTTP-FLV",
        (_, PlayerProtocol.Whep) => "not available: nginx-rtmp has no WebRTC (WHEP)",
        (_, { } other) => $"not available: nginx-rtmp has no {other.Name()}",
    };

    /// <summary>Null when nginx and its RTMP module are installed, else what to do about it.</summary>
    public static string? CheckInstalled() => File.Exists(Nginx) && File.Exists(NginxConfig.RtmpModule)
        ? null
        : $"--vs nginx-rtmp needs {Nginx} and {NginxConfig.RtmpModule}; install them with: apt-get install nginx libnginx-mod-rtmp";

    public static ServerTarget Target(HttpClient control) => new(ServerName, Unavailable, ct => StartAsync(control, ct));

    public static async Task<IServerUnderTest> StartAsync(HttpClient control, CancellationToken cancellationToken)
    {
        var ports = FreePorts.Take(2);
        var prefix = new TempDirectory("liverelay-load-nginx-");
        prefix.OpenToAll();
        foreach (var dir in NginxConfig.WritableDirectories)
        {
            var path = Path.Combine(prefix.Path, dir);
            Directory.CreateDirectory(path);
            TempDirectory.MakeWorldWritable(path);
        }

        var config = Path.Combine(prefix.Path, "nginx.conf");
        await File.WriteAllTextAsync(config, NginxConfig.Build(prefix.Path, ports[1], ports[0], Environment.UserName == "root"), cancellationToken).ConfigureAwait(false);

        var output = new OutputTail();
        var startedAt = Stopwatch.GetTimestamp();
        var process = ChildProcesses.Start(
            Nginx, ["-p", prefix.Path + "/", "-c", config, "-e", Path.Combine(prefix.Path, "logs", "error.log")], output, prefix.Path);
        var server = new NginxRtmpServer(process, output, prefix, ports[0], ports[1]);
        try
        {
            server.StartupTime = await ReadinessProbe.WaitAsync(
                control, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{ports[0]}/")), _ => true,
                startedAt, StartTimeLimit, () => process.HasExited, cancellationToken).ConfigureAwait(false);
            server.ProcessIds = await FindWorkersAsync(process.Id, cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            var log = server.RecentOutput;
            await server.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"nginx did not start ({ex.Message}). Its output and error log:{Environment.NewLine}{log}", ex);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The master and its worker(s): the worker does the work, so both are measured.</summary>
    private static async Task<IReadOnlyList<int>> FindWorkersAsync(int masterPid, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var workers = ProcStats.Children(masterPid);
            if (workers.Count > 0)
            {
                return [masterPid, .. workers];
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"nginx master {masterPid} started no worker within 5 s");
    }

    public Uri? MetricsUri => null;

    public Uri PublishUri(IngestProtocol ingest, string stream) => ingest == IngestProtocol.Rtmp
        ? RtmpUri(stream)
        : throw new NotSupportedException($"nginx-rtmp has no {ingest.Name()} ingest");

    public Uri PlaylistUri(string stream) => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{_httpPort}/hls/{stream}.m3u8"));

    public Uri? PlayUri(PlayerProtocol protocol, string stream) => protocol switch
    {
        PlayerProtocol.Rtmp => RtmpUri(stream),
        PlayerProtocol.Hls => PlaylistUri(stream),
        _ => null,
    };

    private Uri RtmpUri(string stream) => new(string.Create(CultureInfo.InvariantCulture, $"rtmp://127.0.0.1:{_rtmpPort}/live/{stream}"));

    public ValueTask DisposeAsync()
    {
        ChildProcesses.Kill(_process);
        _prefix.Dispose();
        return ValueTask.CompletedTask;
    }
}
