using System.Diagnostics;
using System.Globalization;
using System.Text;
using LiveRelay.LoadTest.Cli;
using LiveRelay.LoadTest.Measurement;
using LiveRelay.LoadTest.Players;
using LiveRelay.LoadTest.Scenarios;
using LiveRelay.LoadTest.Servers;
using LiveRelay.LoadTest.Source;
using LiveRelay.Protocols.WebRtc.Dtls;

namespace LiveRelay.LoadTest.Soak;

/// <summary>
/// The soak: one server, K published streams, and readers that keep joining and leaving over RTMP,
/// HTTP-FLV, HLS and SRT for M minutes (every second some leave and as many join, so each lives about
/// 20 s). Once a minute it samples the server's RSS, open file descriptors, threads, GC heap and
/// allocations; at the end it prints the table and the drift from the first minutes to the last.
/// A leak shows as a steady climb in RSS, heap, descriptors or threads while the load stays the same.
/// </summary>
internal sealed class SoakRunner(ServerTarget target, TestClip clip, LoadTestOptions options, HttpClient control, HttpClient playerHttp, Action<string> log)
{
    private static readonly PlayerProtocol[] s_protocols = [PlayerProtocol.Rtmp, PlayerProtocol.Flv, PlayerProtocol.Hls, PlayerProtocol.Srt];
    private readonly List<(Player Player, Task Run, CancellationTokenSource Stop)> _players = [];
    private readonly Random _random = new(2026);
    private int _joined;
    private int _failed;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var srtLoop = new Lazy<SrtReceiveLoop>(() => new SrtReceiveLoop());
        var dtls = new Lazy<DtlsCertificate>(DtlsCertificate.Create);
        var server = await target.StartAsync(cancellationToken).ConfigureAwait(false);
        var publishers = new List<Publisher>();
        var samples = new List<SoakSample>();
        try
        {
            for (var i = 0; i < options.Streams; i++)
            {
                var name = ScenarioSettings.StreamName(i);
                var publisher = Publisher.Start(name, options.Ingest, server.PublishUri(options.Ingest, name), clip);
                publishers.Add(publisher);
                await HlsFirstSegmentProbe.MeasureAsync(control, server.PlaylistUri(name), publisher.StartedAt, ScenarioSettings.FirstSegmentTimeLimit, cancellationToken).ConfigureAwait(false);
            }

            log($"soak: {options.Streams} streams live; {options.Readers} readers joining and leaving for {options.SoakMinutes} min");
            var started = Stopwatch.GetTimestamp();
            var end = TimeSpan.FromMinutes(options.SoakMinutes);
            var nextSample = TimeSpan.Zero;
            var churn = Math.Max(1, options.Readers / 20);
            while (Stopwatch.GetElapsedTime(started) < end)
            {
                Churn(server, churn, playerHttp, srtLoop, dtls);
                if (Stopwatch.GetElapsedTime(started) >= nextSample)
                {
                    var sample = await SampleAsync(server, Stopwatch.GetElapsedTime(started), cancellationToken).ConfigureAwait(false);
                    samples.Add(sample);
                    log($"soak: {sample.Describe()}");
                    nextSample += TimeSpan.FromMinutes(1);
                }

                if (server.HasExited || publishers.Any(p => p.HasExited))
                {
                    throw new InvalidOperationException("the server or a publisher exited during the soak:" + Environment.NewLine + server.RecentOutput);
                }

                await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
            }

            samples.Add(await SampleAsync(server, Stopwatch.GetElapsedTime(started), cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            foreach (var (_, _, stop) in _players)
            {
                await stop.CancelAsync().ConfigureAwait(false);
            }

            await Task.WhenAll(_players.Select(p => p.Run)).WaitAsync(ScenarioSettings.StopTimeLimit, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            foreach (var publisher in publishers)
            {
                publisher.Dispose();
            }

            await server.DisposeAsync().ConfigureAwait(false);
            if (srtLoop.IsValueCreated)
            {
                srtLoop.Value.Dispose();
            }

            Console.WriteLine();
            Console.Write(Report(samples));
        }

        return 0;
    }

    /// <summary>Some readers leave, as many join (until the target is reached, joins only).</summary>
    private void Churn(IServerUnderTest server, int churn, HttpClient http, Lazy<SrtReceiveLoop> srtLoop, Lazy<DtlsCertificate> dtls)
    {
        for (var i = _players.Count - 1; i >= 0; i--)
        {
            if (_players[i].Run.IsCompleted)
            {
                if (_players[i].Player.Error is not null && !_players[i].Stop.IsCancellationRequested)
                {
                    _failed++;
                }

                _players[i].Stop.Dispose();
                _players.RemoveAt(i);
            }
        }

        var leaving = _players.Count >= options.Readers ? churn : 0;
        for (var i = 0; i < leaving && _players.Count > 0; i++)
        {
            var index = _random.Next(_players.Count);
            _players[index].Stop.Cancel();
        }

        while (_players.Count < options.Readers + leaving && _players.Count(p => !p.Stop.IsCancellationRequested) < options.Readers)
        {
            var protocol = s_protocols[_joined % s_protocols.Length];
            var stream = ScenarioSettings.StreamName(_joined % options.Streams);
            var uri = server.PlayUri(protocol, stream) ?? throw new InvalidOperationException($"no {protocol.Name()} URI");
            var player = PlayerFactory.Create(protocol, _joined, uri, http, srtLoop, dtls, out var unavailable)
                ?? throw new InvalidOperationException(unavailable);
            var stop = new CancellationTokenSource();
            _players.Add((player, player.RunAsync(stop.Token), stop));
            _joined++;
        }
    }

    private async Task<SoakSample> SampleAsync(IServerUnderTest server, TimeSpan at, CancellationToken cancellationToken)
    {
        var pid = server.ProcessIds[0];
        var runtime = await DotnetRuntimeSample.TakeAsync(control, server.MetricsUri, cancellationToken).ConfigureAwait(false);
        return new SoakSample(
            at,
            ProcStats.RssKiB(pid) ?? 0,
            Directory.Exists($"/proc/{pid}/fd") ? Directory.GetFiles($"/proc/{pid}/fd").Length : 0,
            Threads(pid),
            runtime?.HeapBytesByGeneration.Values.Sum() / 1024 ?? 0,
            (runtime?.AllocatedBytes ?? 0) / (1024 * 1024),
            _players.Count(p => !p.Stop.IsCancellationRequested),
            _joined,
            _failed);
    }

    private static int Threads(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Threads:", StringComparison.Ordinal));
        return line is null ? 0 : int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    private static string Report(List<SoakSample> samples)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"min",5} {"RSS MiB",8} {"fds",6} {"threads",8} {"heap MiB",9} {"alloc MiB",10} {"readers",8} {"joined",7} {"failed",7}");
        foreach (var s in samples)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{s.At.TotalMinutes,5:0.0} {s.RssKiB / 1024.0,8:0.0} {s.Fds,6} {s.Threads,8} {s.HeapKiB / 1024.0,9:0.0} {s.AllocatedMiB,10:0} {s.Readers,8} {s.Joined,7} {s.Failed,7}");
        }

        // Drift: the average of the last five samples against minutes 2–6 (after the HLS windows and pools fill).
        var early = samples.Where(s => s.At.TotalMinutes is >= 2 and < 7).ToList();
        var late = samples.TakeLast(5).ToList();
        if (early.Count > 0 && late.Count > 0 && samples[^1].At.TotalMinutes >= 10)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"drift (last 5 samples vs minutes 2–6): RSS {late.Average(s => s.RssKiB) / 1024 - early.Average(s => s.RssKiB) / 1024:+0.0;-0.0} MiB, heap {late.Average(s => s.HeapKiB) / 1024 - early.Average(s => s.HeapKiB) / 1024:+0.0;-0.0} MiB, fds {late.Average(s => s.Fds) - early.Average(s => s.Fds):+0.0;-0.0}, threads {late.Average(s => s.Threads) - early.Average(s => s.Threads):+0.0;-0.0}");
        }

        return text.ToString();
    }

    private sealed record SoakSample(TimeSpan At, long RssKiB, int Fds, int Threads, double HeapKiB, double AllocatedMiB, int Readers, int Joined, int Failed)
    {
        public string Describe() =>
            string.Create(CultureInfo.InvariantCulture, $"{At.TotalMinutes:0.0} min: RSS {RssKiB / 1024.0:0.0} MiB, {Fds} fds, {Threads} threads, heap {HeapKiB / 1024.0:0.0} MiB, {Readers} readers, {Joined} joined, {Failed} failed");
    }
}
