using System.Diagnostics;
using LiveRelay.LoadTest.Cli;
using LiveRelay.LoadTest.Measurement;
using LiveRelay.LoadTest.Players;
using LiveRelay.LoadTest.Reporting;
using LiveRelay.LoadTest.Servers;
using LiveRelay.LoadTest.Source;
using LiveRelay.Protocols.WebRtc.Dtls;

namespace LiveRelay.LoadTest.Scenarios;

/// <summary>
/// Runs one scenario: a fresh server, the publishers over RTMP or SRT (timing publish → first HLS
/// segment), a baseline RSS, N players joined over one GOP (none for a publishers-only scenario), a
/// settle pause, then the measurement window.
/// </summary>
internal sealed class ScenarioRunner
{
    private readonly ScenarioSettings _settings;
    private readonly HttpClient _control;
    private readonly HttpClient _playerHttp;
    private readonly Action<string> _log;
    private readonly Lazy<SrtReceiveLoop> _srtLoop;
    private readonly Lazy<DtlsCertificate> _dtlsCertificate;

    public ScenarioRunner(
        ScenarioSettings settings, HttpClient control, HttpClient playerHttp, Lazy<SrtReceiveLoop> srtLoop, Lazy<DtlsCertificate> dtlsCertificate, Action<string> log)
    {
        _settings = settings;
        _control = control;
        _playerHttp = playerHttp;
        _srtLoop = srtLoop;
        _dtlsCertificate = dtlsCertificate;
        _log = log;
    }

    /// <summary>Runs one scenario; <paramref name="protocol"/> null means publishers only (no readers).</summary>
    public async Task<ScenarioResult> RunAsync(ServerTarget target, PlayerProtocol? protocol, CancellationToken cancellationToken)
    {
        var label = Label(protocol);
        var empty = new ScenarioResult
        {
            Server = target.Name,
            Protocol = protocol?.Name() ?? ScenarioSettings.PublishersOnly,
            Ingest = _settings.Ingest.Name(),
            Readers = protocol is null ? 0 : _settings.Readers,
            Streams = _settings.Streams,
            StreamBitrateMbps = _settings.Clip.BitrateMbps,
        };
        if (target.Unavailable(_settings.Ingest, protocol) is { } unavailable)
        {
            _log($"{target.Name} {label}: {unavailable}");
            return empty with { NotAvailable = unavailable };
        }

        _log($"{target.Name} {label}: starting the server");
        IServerUnderTest server;
        try
        {
            server = await target.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            return empty with { Failure = ex.Message };
        }

        await using (server.ConfigureAwait(false))
        {
            var result = empty with { StartupMeaning = server.StartupMeaning, StartupMs = server.StartupTime.TotalMilliseconds };
            var publishers = new List<Publisher>();
            try
            {
                return await MeasureAsync(server, protocol, label, publishers, result, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                var publisherOutput = string.Join(Environment.NewLine, publishers.Select(p => $"  ffmpeg {p.StreamName}:{Environment.NewLine}{p.RecentOutput}"));
                return result with { Failure = $"{ex.Message}{Environment.NewLine}  server output:{Environment.NewLine}{server.RecentOutput}{Environment.NewLine}{publisherOutput}" };
            }
            finally
            {
                foreach (var publisher in publishers)
                {
                    publisher.Dispose();
                }
            }
        }
    }

    private string Label(PlayerProtocol? protocol) =>
        $"{_settings.Ingest.Name()} ingest, {(protocol is { } p ? $"{p.Name()} readers" : "publishers only")}";

    private async Task<ScenarioResult> MeasureAsync(
        IServerUnderTest server, PlayerProtocol? protocol, string label, List<Publisher> publishers, ScenarioResult result, CancellationToken cancellationToken)
    {
        // Publish, and time publish → first HLS segment on every stream; the first segment also
        // means the stream is up and a GOP is cached before any reader joins.
        _log($"{server.Name} {label}: ready in {server.StartupTime.TotalMilliseconds:0} ms; publishing {_settings.Streams} stream(s) over {_settings.Ingest.Name()}");
        var probes = new List<Task<TimeSpan>>();
        for (var i = 0; i < _settings.Streams; i++)
        {
            var name = ScenarioSettings.StreamName(i);
            var publisher = Publisher.Start(name, _settings.Ingest, server.PublishUri(_settings.Ingest, name), _settings.Clip);
            publishers.Add(publisher);
            probes.Add(HlsFirstSegmentProbe.MeasureAsync(_control, server.PlaylistUri(name), publisher.StartedAt, ScenarioSettings.FirstSegmentTimeLimit, cancellationToken));
        }

        var firstSegments = await Task.WhenAll(probes).ConfigureAwait(false);

        // Warm-up: the server runs with only its publishers; the end of it gives the baseline.
        var publisherPids = publishers.Select(p => p.ProcessId).ToArray();
        _log($"{server.Name} {label}: first HLS segment after {firstSegments.Max().TotalMilliseconds:0} ms; warming up for {_settings.Warmup.TotalSeconds:0} s");
        await Task.Delay(_settings.Warmup - _settings.BaselineCpuWindow, cancellationToken).ConfigureAwait(false);
        var baselineStart = CpuSample.Take(server.ProcessIds, publisherPids);
        await Task.Delay(_settings.BaselineCpuWindow, cancellationToken).ConfigureAwait(false);
        var baselineCpu = _settings.BaselineCpuWindow > TimeSpan.Zero
            ? CpuSample.Between(baselineStart, CpuSample.Take(server.ProcessIds, publisherPids)).ServerPercent
            : (double?)null;
        EnsureRunning(server, publishers);
        var rssBaseline = Rss(server.ProcessIds);
        result = result with
        {
            PublishToFirstHlsSegmentMs = [.. firstSegments.Select(t => t.TotalMilliseconds)],
            RssBaselineKiB = rssBaseline,
            BaselineCpuPercent = baselineCpu,
        };

        // Players, spread over one GOP (none for publishers only).
        var players = new Player[protocol is null ? 0 : _settings.Readers];
        for (var i = 0; i < players.Length; i++)
        {
            var stream = ScenarioSettings.StreamName(i % _settings.Streams);
            var uri = server.PlayUri(protocol!.Value, stream) ?? throw new InvalidOperationException($"{server.Name} gave no {protocol.Value.Name()} URI");
            players[i] = PlayerFactory.Create(protocol.Value, i, uri, _playerHttp, _srtLoop, _dtlsCertificate, out var unavailable)
                ?? throw new InvalidOperationException(unavailable);
        }

        _log($"{server.Name} {label}: joining {players.Length} readers over {_settings.JoinSpread.TotalSeconds:0.#} s");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new Task[players.Length];
        var joinStart = Stopwatch.GetTimestamp();
        for (var i = 0; i < players.Length; i++)
        {
            var due = _settings.JoinSpread * i / players.Length - Stopwatch.GetElapsedTime(joinStart);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken).ConfigureAwait(false);
            }

            tasks[i] = players[i].RunAsync(stop.Token);
        }

        await Task.Delay(_settings.Settle, cancellationToken).ConfigureAwait(false);

        // The window.
        _log($"{server.Name} {label}: measuring for {_settings.Window.TotalSeconds:0} s");
        var runtimeStart = await DotnetRuntimeSample.TakeAsync(_control, server.MetricsUri, cancellationToken).ConfigureAwait(false);
        var bytesAtStart = players.Select(p => p.BytesReceived).ToArray();
        var mediaAtStart = players.Select(p => p.MediaMilliseconds).ToArray();
        var srtAtStart = SrtReceiveTotals.Sum(players.OfType<SrtPlayer>());
        var whepAtStart = WhepReceiveTotals.Sum(players.OfType<WhepPlayer>());
        var children = ServerChildren.Start(server.ProcessIds);
        var cpuStart = CpuSample.Take(server.ProcessIds, publisherPids);
        await Task.Delay(_settings.Window, cancellationToken).ConfigureAwait(false);
        var cpuEnd = CpuSample.Take(server.ProcessIds, publisherPids);
        var bytesAtEnd = players.Select(p => p.BytesReceived).ToArray();
        var mediaAtEnd = players.Select(p => p.MediaMilliseconds).ToArray();
        var srtAtEnd = SrtReceiveTotals.Sum(players.OfType<SrtPlayer>());
        var whepAtEnd = WhepReceiveTotals.Sum(players.OfType<WhepPlayer>());
        var childUsage = children.End();
        var rssEnd = Rss(server.ProcessIds);
        var toolRss = ProcStats.RssKiB(Environment.ProcessId);
        var runtimeEnd = await DotnetRuntimeSample.TakeAsync(_control, server.MetricsUri, cancellationToken).ConfigureAwait(false);
        EnsureRunning(server, publishers);

        stop.Cancel();
        try
        {
            await Task.WhenAll(tasks).WaitAsync(ScenarioSettings.StopTimeLimit, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _log($"{server.Name} {label}: some readers did not stop within {ScenarioSettings.StopTimeLimit.TotalSeconds:0} s");
        }

        var cpu = CpuSample.Between(cpuStart, cpuEnd);
        return Summarize(result, protocol, players, cpu, bytesAtStart, bytesAtEnd, mediaAtStart, mediaAtEnd) with
        {
            Cpu = cpu,
            WindowSeconds = cpu.Seconds,
            RssEndKiB = rssEnd,
            ToolRssKiB = toolRss,
            ServerRuntime = DotnetRuntimeWindow.Between(runtimeStart, runtimeEnd, cpu.Seconds),
            SrtReaderLink = protocol == PlayerProtocol.Srt ? srtAtEnd - srtAtStart : null,
            WhepViewerLink = protocol == PlayerProtocol.Whep ? whepAtEnd - whepAtStart : null,
            ServerChildren = childUsage,
        };
    }

    private ScenarioResult Summarize(
        ScenarioResult result, PlayerProtocol? protocol, Player[] players, CpuUsage cpu,
        long[] bytesAtStart, long[] bytesAtEnd, long[] mediaAtStart, long[] mediaAtEnd)
    {
        if (protocol is null)
        {
            // Publishers only: nothing was delivered to readers, so there is nothing to summarize.
            return result;
        }

        var seconds = cpu.Seconds;
        var bitrate = _settings.Clip.BitrateBitsPerSecond;
        var perReaderMbps = new double[players.Length];
        var starved = 0;
        long windowBytes = 0;
        for (var i = 0; i < players.Length; i++)
        {
            var bytes = bytesAtEnd[i] - bytesAtStart[i];
            windowBytes += bytes;
            perReaderMbps[i] = bytes * 8 / seconds / 1e6;
            var isStarved = protocol == PlayerProtocol.Hls
                ? (mediaAtEnd[i] - mediaAtStart[i]) / 1000.0 < ScenarioSettings.StarvedBelow * (seconds - HlsGranularity(players[i]))
                : bytes * 8 < ScenarioSettings.StarvedBelow * bitrate * seconds;
            starved += isStarved ? 1 : 0;
        }

        var ttff = players.Where(p => p.TimeToFirstFrame is not null).Select(p => p.TimeToFirstFrame!.Value.TotalMilliseconds).ToArray();
        var errors = players.Where(p => p.Error is not null).GroupBy(p => p.Error!).ToDictionary(g => g.Key, g => g.Count());
        return result with
        {
            DeliveredMbps = windowBytes * 8 / seconds / 1e6,
            PerReaderMbpsMedian = Percentiles.Median(perReaderMbps),
            PerReaderMbpsMin = perReaderMbps.Length == 0 ? null : perReaderMbps.Min(),
            Joined = ttff.Length,
            Failed = errors.Values.Sum(),
            Errors = errors,
            Starved = starved,
            StarvedRule = protocol switch
            {
                PlayerProtocol.Hls => "media time of whole segments downloaded in the window < 95 % of (window − one target duration)",
                PlayerProtocol.Srt => "MPEG-TS bytes received in the window < 95 % of the clip's (FLV) bitrate × window; TS adds about 4–5 %, so see also the SRT loss and drop counts",
                PlayerProtocol.Whep => "SRTP bytes (H.264 RTP, Opus RTP, sender reports) received in the window < 95 % of the clip's (FLV) bitrate × window; Opus at 96 kbit/s replaces AAC at 128, RTP and SRTP add about 2 %, so see also the video frames and lost packets",
                _ => "bytes received in the window < 95 % of stream bitrate × window",
            },
            TtffMedianMs = Percentiles.Median(ttff),
            TtffP99Ms = Percentiles.Of(ttff, 99),
            TtffMaxMs = ttff.Length == 0 ? null : ttff.Max(),
            HlsMissedSegments = protocol == PlayerProtocol.Hls ? players.OfType<HlsPlayer>().Sum(p => p.MissedSegments) : null,
        };
    }

    /// <summary>HLS arrives a whole segment at a time: a window may hold one segment less than its length.</summary>
    private double HlsGranularity(Player player) =>
        player is HlsPlayer { TargetDuration: { } target } && target > TimeSpan.Zero ? target.TotalSeconds : _settings.Clip.Spec.Gop.TotalSeconds;

    private static long? Rss(IEnumerable<int> pids)
    {
        long total = 0;
        foreach (var pid in pids)
        {
            total += ProcStats.RssKiB(pid) ?? 0;
        }

        return total;
    }

    private static void EnsureRunning(IServerUnderTest server, List<Publisher> publishers)
    {
        if (server.HasExited)
        {
            throw new InvalidOperationException($"{server.Name} exited during the scenario");
        }

        foreach (var publisher in publishers)
        {
            if (publisher.HasExited)
            {
                throw new InvalidOperationException($"the publisher of {publisher.StreamName} exited:{Environment.NewLine}{publisher.RecentOutput}");
            }
        }
    }
}
