using System.Globalization;
using System.Runtime.InteropServices;
using LiveRelay.LoadTest.Cli;
using LiveRelay.LoadTest.Infrastructure;
using LiveRelay.LoadTest.Players;
using LiveRelay.LoadTest.Reporting;
using LiveRelay.LoadTest.Scenarios;
using LiveRelay.LoadTest.Servers;
using LiveRelay.LoadTest.Source;
using LiveRelay.Protocols.WebRtc.Dtls;

namespace LiveRelay.LoadTest;

/// <summary>
/// The run: check what is needed, get the clip, run every scenario (per protocol: LiveRelay,
/// then nginx-rtmp with --vs), print the report, write JSON. Exit codes: 0 done, 1 a scenario
/// failed, 2 bad usage or something missing, 130 interrupted.
/// </summary>
internal static class LoadTestApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = LoadTestOptions.Parse(args, out var usageError);
        if (options is null)
        {
            if (usageError is null)
            {
                Console.WriteLine(LoadTestOptions.Usage);
                return 0;
            }

            await Console.Error.WriteLineAsync($"error: {usageError}{Environment.NewLine}{Environment.NewLine}{LoadTestOptions.Usage}").ConfigureAwait(false);
            return 2;
        }

        if (!OperatingSystem.IsLinux())
        {
            await Console.Error.WriteLineAsync("error: the load tool reads /proc and runs on Linux only").ConfigureAwait(false);
            return 2;
        }

        var serverDll = ResolveServer(options, out var serverError);
        var nginxError = options.VersusNginx ? NginxRtmpServer.CheckInstalled() : null;
        if (serverDll is null || nginxError is not null)
        {
            await Console.Error.WriteLineAsync($"error: {serverError ?? nginxError}").ConfigureAwait(false);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        var interrupts = 0;
        void OnSignal(PosixSignalContext context)
        {
            if (Interlocked.Increment(ref interrupts) == 1)
            {
                // First Ctrl+C or SIGTERM: stop in order, report what ran.
                context.Cancel = true;
                Log($"{context.Signal}: stopping readers, publishers and servers (send it again to kill at once)");
                cancel.Cancel();
            }
            else
            {
                ChildProcesses.CleanUp();
            }
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        try
        {
            return options.SoakMinutes > 0
                ? await RunSoakAsync(options, serverDll, cancel.Token).ConfigureAwait(false)
                : await RunScenariosAsync(options, serverDll, cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return 130;
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        finally
        {
            ChildProcesses.CleanUp();
        }
    }

    private static async Task<int> RunSoakAsync(LoadTestOptions options, string serverDll, CancellationToken cancellationToken)
    {
        Log(DescribeMachine());
        var clip = await TestClip.GetAsync(new ClipSpec { VideoKbps = options.VideoKbps }, Log, cancellationToken).ConfigureAwait(false);
        using var control = PlayerFactory.CreateHttpClient();
        using var playerHttp = PlayerFactory.CreateHttpClient();
        var soak = new Soak.SoakRunner(LiveRelayServerProcess.Target(serverDll, control), clip, options, control, playerHttp, Log);
        return await soak.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> RunScenariosAsync(LoadTestOptions options, string serverDll, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.Now;
        var machine = DescribeMachine();
        var clip = await TestClip.GetAsync(new ClipSpec { VideoKbps = options.VideoKbps }, Log, cancellationToken).ConfigureAwait(false);
        Log($"clip {clip.Path}: {clip.BitrateMbps:0.000} Mbit/s over {clip.DurationSeconds:0.0} s");

        using var control = PlayerFactory.CreateHttpClient();
        using var playerHttp = PlayerFactory.CreateHttpClient();
        var settings = new ScenarioSettings(
            options.Readers,
            options.Streams,
            TimeSpan.FromSeconds(options.Seconds),
            TimeSpan.FromSeconds(options.WarmupSeconds),
            TimeSpan.FromSeconds(options.SettleSeconds),
            clip,
            options.Ingest);

        // SRT readers share one epoll thread; it (and libsrt) starts only when the first one plays.
        var srtLoop = new Lazy<SrtReceiveLoop>(() => new SrtReceiveLoop());

        // WHEP readers share one DTLS certificate (an ECDSA key per viewer would only cost the tool CPU).
        var dtlsCertificate = new Lazy<DtlsCertificate>(DtlsCertificate.Create);
        var runner = new ScenarioRunner(settings, control, playerHttp, srtLoop, dtlsCertificate, Log);
        var targets = new List<ServerTarget> { LiveRelayServerProcess.Target(serverDll, control) };
        if (options.VersusNginx)
        {
            targets.Add(NginxRtmpServer.Target(control));
        }

        var report = new RunReport
        {
            StartedAt = startedAt,
            CommandLine = "LiveRelay.LoadTest " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            Machine = machine,
            ServerDll = serverDll,
            Clip = clip.Spec.Describe(),
            StreamBitrateMbps = clip.BitrateMbps,
            Readers = options.Readers,
            Streams = options.Streams,
            Ingest = options.Ingest.Name(),
            WindowSeconds = options.Seconds,
            WarmupSeconds = options.WarmupSeconds,
            SettleSeconds = options.SettleSeconds,
            JoinSpreadSeconds = settings.JoinSpread.TotalSeconds,
            Quick = options.Quick,
        };

        try
        {
            // No readers: one publishers-only scenario per server, whatever --protocol says.
            IReadOnlyList<PlayerProtocol?> protocols = options.Readers == 0 ? [null] : [.. options.Protocols.Select(p => (PlayerProtocol?)p)];
            foreach (var protocol in protocols)
            {
                foreach (var target in targets)
                {
                    var result = await runner.RunAsync(target, protocol, cancellationToken).ConfigureAwait(false);
                    report.Scenarios.Add(result);
                    if (result.Failure is not null)
                    {
                        Log($"{target.Name} {result.Protocol}: FAILED: {result.Failure}");
                    }
                }
            }
        }
        finally
        {
            if (srtLoop.IsValueCreated)
            {
                srtLoop.Value.Dispose();
            }

            // Whatever ran is reported, also after Ctrl+C.
            Console.WriteLine();
            Console.Write(TextReport.Build(report));
            if (options.JsonPath is not null)
            {
                await JsonReport.WriteAsync(options.JsonPath, report, CancellationToken.None).ConfigureAwait(false);
                Log($"wrote {Path.GetFullPath(options.JsonPath)}");
            }
        }

        return report.Scenarios.Any(s => s.Failure is not null) ? 1 : 0;
    }

    private static string? ResolveServer(LoadTestOptions options, out string? error)
    {
        error = null;
        string path;
        if (options.ServerPath is not null)
        {
            path = Path.GetFullPath(options.ServerPath);
        }
        else if (RepoPaths.FindRoot() is { } root)
        {
            path = Path.Combine(root, RepoPaths.DefaultServerDll);
        }
        else
        {
            error = $"cannot find the repository root ({RepoPaths.SolutionFile}) above {Environment.CurrentDirectory}; pass --server PATH/LiveRelay.Server.dll";
            return null;
        }

        if (!File.Exists(path))
        {
            error = $"the server under test is missing: {path}{Environment.NewLine}" +
                "  build it with: dotnet build src/LiveRelay.Server -c Release" + Environment.NewLine +
                "  or publish a private copy: dotnet publish src/LiveRelay.Server -c Release -o /tmp/lr-server, then --server /tmp/lr-server/LiveRelay.Server.dll";
            return null;
        }

        return path;
    }

    private static string DescribeMachine()
    {
        static string Read(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : "?";
        var memTotal = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))?
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var memGiB = long.TryParse(memTotal, CultureInfo.InvariantCulture, out var kib) ? kib / 1024.0 / 1024.0 : 0;
        var load = string.Join(' ', Read("/proc/loadavg").Split(' ').Take(3));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores, {memGiB:0.0} GiB, Linux {Read("/proc/sys/kernel/osrelease")}, {RuntimeInformation.FrameworkDescription}; load average at start {load}");
    }

    /// <summary>Progress lines (phases only, never per frame or per read) on stderr.</summary>
    private static void Log(string message) =>
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
