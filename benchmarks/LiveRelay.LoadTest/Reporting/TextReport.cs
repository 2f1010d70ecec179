using System.Globalization;
using System.Text;
using LiveRelay.LoadTest.Cli;
using LiveRelay.LoadTest.Measurement;
using LiveRelay.LoadTest.Scenarios;
using LiveRelay.LoadTest.Servers;

namespace LiveRelay.LoadTest.Reporting;

/// <summary>
/// The human report: one table per protocol with a column per server (and LiveRelay/nginx ratios
/// when both ran), then the side-by-side comparison the issue asks for.
/// </summary>
internal static class TextReport
{
    public static string Build(RunReport report)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine("== LiveRelay load test ==");
        text.AppendLine(inv, $"started     {report.StartedAt:yyyy-MM-dd HH:mm:ss zzz}");
        text.AppendLine(inv, $"command     {report.CommandLine}");
        text.AppendLine(inv, $"machine     {report.Machine}");
        text.AppendLine(inv, $"server      {report.ServerDll}");
        text.AppendLine(inv, $"clip        {report.Clip}; stream bitrate {report.StreamBitrateMbps:0.000} Mbit/s (ffprobe)");
        text.AppendLine(inv, $"ingest      {IngestLine(report.Ingest)}");
        text.AppendLine(inv, $"scenario    a fresh server per scenario; {report.Streams} stream(s) published, warm-up {report.WarmupSeconds} s (baseline RSS and CPU at its end),");
        if (report.Readers > 0)
        {
            text.AppendLine(inv, $"            {report.Readers} readers joined over {report.JoinSpreadSeconds:0.#} s, settle {report.SettleSeconds} s, then a {report.WindowSeconds} s window");
        }
        else
        {
            text.AppendLine(inv, $"            no readers (publishers only), settle {report.SettleSeconds} s, then a {report.WindowSeconds} s window");
        }
        if (report.Quick)
        {
            text.AppendLine("            --quick: the window is under 30 s; a smoke test, not a measurement");
        }

        foreach (var protocol in report.Scenarios.Select(s => s.Protocol).Distinct())
        {
            var results = report.Scenarios.Where(s => s.Protocol == protocol).ToList();
            text.AppendLine();
            if (protocol == ScenarioSettings.PublishersOnly)
            {
                text.AppendLine(inv, $"-- {report.Ingest.ToUpperInvariant()} ingest, publishers only ({report.Streams} stream(s), no readers) --");
            }
            else
            {
                text.AppendLine(inv, $"-- {protocol.ToUpperInvariant()}, {report.Readers} readers, {report.Ingest.ToUpperInvariant()} ingest --");
            }
            AppendProtocolTable(text, results);
            AppendNotes(text, results);
        }

        var comparison = BuildComparison(report.Scenarios);
        if (comparison is not null)
        {
            text.AppendLine();
            text.AppendLine("-- LiveRelay vs nginx-rtmp (ratio = LiveRelay / nginx-rtmp; under 1 means LiveRelay uses less or is faster) --");
            text.Append(comparison);
        }

        return text.ToString();
    }

    private static void AppendProtocolTable(StringBuilder text, List<ScenarioResult> results)
    {
        var ran = results.Where(r => r.Ran).ToList();
        if (ran.Count == 0)
        {
            return;
        }

        var liveRelay = ran.FirstOrDefault(r => r.Server == LiveRelayServerProcess.ServerName);
        var nginx = ran.FirstOrDefault(r => r.Server == NginxRtmpServer.ServerName);
        var withRatio = liveRelay is not null && nginx is not null;
        string[] header = withRatio ? ["metric", .. ran.Select(r => r.Server), "LiveRelay/nginx"] : ["metric", .. ran.Select(r => r.Server)];
        var table = new TextTable(header);

        void Row(string name, Func<ScenarioResult, string> cell, Func<ScenarioResult, double?>? value = null, double floor = 0)
        {
            string[] cells = [name, .. ran.Select(cell)];
            table.Add(withRatio ? [.. cells, value is null ? "" : Format.Ratio(value(liveRelay!), value(nginx!), floor)] : cells);
        }

        Row("server start → ready, ms", r => $"{Format.Number(r.StartupMs, "0")} ({r.StartupMeaning})", r => r.StartupMs);
        Row("publish → first HLS segment, ms", r => Format.Number(r.PublishToFirstHlsSegmentMedianMs, "0"), r => r.PublishToFirstHlsSegmentMedianMs);
        Row("server CPU, % of one core", r => Format.Number(r.Cpu?.ServerPercent), r => r.Cpu?.ServerPercent, Floors.CpuPercent);
        var withReaders = ran.Any(r => r.Readers > 0);
        if (!withReaders)
        {
            // Publishers only: what ingest alone costs; the reader rows would all be empty.
            Row("server CPU per published stream, %", r => Format.Number(r.CpuPerStreamPercent, "0.00"), r => r.CpuPerStreamPercent, Floors.CpuPercent);
            Row("server CPU at the end of the warm-up, %", r => Format.Number(r.BaselineCpuPercent), r => r.BaselineCpuPercent, Floors.CpuPercent);
            Row("server RSS end of warm-up → end, MiB", r => $"{Format.MiB(r.RssBaselineKiB)} → {Format.MiB(r.RssEndKiB)}", r => r.RssEndKiB);
        }
        else
        {
            Row("server CPU per reader, % of one core", r => Format.Number(r.CpuPerReaderPercent, "0.000"), r => r.CpuPerReaderPercent, Floors.CpuPerReader);
            Row("server CPU with publishers only, %", r => Format.Number(r.BaselineCpuPercent), r => r.BaselineCpuPercent, Floors.CpuPercent);
            Row("server CPU per reader above that, %", r => Format.Number(r.MarginalCpuPerReaderPercent, "0.000"), r => r.MarginalCpuPerReaderPercent, Floors.CpuPerReader);
            Row("server RSS before readers → end, MiB", r => $"{Format.MiB(r.RssBaselineKiB)} → {Format.MiB(r.RssEndKiB)}", r => r.RssEndKiB);
            Row("memory per reader, KiB", r => Format.Number(r.MemoryPerReaderKiB), r => r.MemoryPerReaderKiB, Floors.MemoryKiB);
            Row("delivered, Mbit/s (expected)", r => $"{Format.Number(r.DeliveredMbps)} ({Format.Number(r.ExpectedMbps)})", r => r.DeliveredMbps);
            Row("per reader Mbit/s, median / min", r => $"{Format.Number(r.PerReaderMbpsMedian, "0.00")} / {Format.Number(r.PerReaderMbpsMin, "0.00")}");
            Row("readers with a first frame / failed", r => $"{r.Joined} / {r.Failed}");
            Row("readers starved (< 95 %)", r => Format.Integer(r.Starved), r => r.Starved, Floors.Count);
            Row("time to first frame, median ms", r => Format.Number(r.TtffMedianMs, "0"), r => r.TtffMedianMs, Floors.Milliseconds);
            Row("time to first frame, p99 ms", r => Format.Number(r.TtffP99Ms, "0"), r => r.TtffP99Ms, Floors.Milliseconds);
            Row("time to first frame, max ms", r => Format.Number(r.TtffMaxMs, "0"), r => r.TtffMaxMs, Floors.Milliseconds);
        }

        if (ran.Any(r => r.ServerRuntime is not null))
        {
            Row("server .NET: allocated MB/s; GCs gen0/1/2", r => r.ServerRuntime is { } rt
                ? $"{Format.Number(rt.AllocatedMBps, "0.00")}; {rt.Gen0:0}/{rt.Gen1:0}/{rt.Gen2:0}"
                : Format.None);
            Row("server .NET heap at end, MiB gen0/1/2/LOH/POH", r => r.ServerRuntime is { } rt ? Heap(rt) : Format.None);
        }

        if (ran.Any(r => r.SrtReaderLink is not null))
        {
            Row("SRT readers' packets received / lost / retransmitted / dropped", r => r.SrtReaderLink is { } l
                ? string.Create(CultureInfo.InvariantCulture, $"{l.Received} / {l.Lost} / {l.Retransmitted} / {l.Dropped}")
                : Format.None);
        }

        if (ran.Any(r => r.WhepViewerLink is not null))
        {
            Row("WHEP viewers' video frames/s each; SRTP packets / video lost / rejected", r => r.WhepViewerLink is { } l
                ? string.Create(CultureInfo.InvariantCulture, $"{Format.Number(r.WhepFramesPerViewerPerSecond, "0.0")}; {l.Packets} / {l.VideoLost} / {l.Rejected}")
                : Format.None);
        }

        if (ran.Any(r => r.ServerChildren is not null))
        {
            Row("server's child processes (not in server CPU/RSS): CPU %, RSS MiB", r => r.ServerChildren is { } c
                ? string.Create(CultureInfo.InvariantCulture, $"{c.Processes}: {Format.Number(c.CpuPercent)}, {Format.MiB(c.RssKiB)}")
                : Format.None);
        }

        if (ran.Any(r => r.HlsMissedSegments is not null))
        {
            Row("HLS segments missed by readers", r => Format.Integer(r.HlsMissedSegments));
        }

        Row("load tool CPU %, RSS MiB", r => $"{Format.Number(r.Cpu?.ToolPercent)}, {Format.MiB(r.ToolRssKiB)}");
        Row("publishers (ffmpeg -c copy) CPU %", r => Format.Number(r.Cpu?.PublishersPercent));
        Row("machine CPU % (all cores) / other work", r => $"{Format.Number(r.Cpu?.MachinePercent)} / {Format.Number(r.Cpu?.OtherPercent)}");
        Row("window, s", r => Format.Number(r.WindowSeconds, "0.0"));
        text.Append(table);
    }

    private static string IngestLine(string ingest) => ingest == IngestProtocolNames.Name(IngestProtocol.Srt)
        ? string.Create(CultureInfo.InvariantCulture, $"srt: ffmpeg -re -stream_loop -1 -c copy -f mpegts \"srt://127.0.0.1:PORT?streamid=publish:live/loadN&latency={LiveRelayServerProcess.SrtLatencyMs * 1000}\"")
        : "rtmp: ffmpeg -re -stream_loop -1 -c copy -f flv rtmp://127.0.0.1:PORT/live/loadN";

    /// <summary>The smallest values the measurements resolve; ratios against less say nothing.</summary>
    private static class Floors
    {
        /// <summary>One clock tick (10 ms) over a 30 s window is 0.03 %.</summary>
        public const double CpuPercent = 0.1;

        public const double CpuPerReader = 0.0005;

        /// <summary>One 4 KiB page over a few hundred readers.</summary>
        public const double MemoryKiB = 1;

        /// <summary>Loopback times under a millisecond are noise.</summary>
        public const double Milliseconds = 1;

        public const double Count = 0.5;
    }

    private static string Heap(DotnetRuntimeWindow runtime) => string.Join(
        "/", new[] { "gen0", "gen1", "gen2", "loh", "poh" }.Select(g => Format.Number(runtime.HeapMiBByGeneration.TryGetValue(g, out var v) ? v : null)));

    private static void AppendNotes(StringBuilder text, List<ScenarioResult> results)
    {
        foreach (var result in results)
        {
            if (result.NotAvailable is not null)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{result.Server}: {result.NotAvailable}");
            }

            if (result.Failure is not null)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{result.Server}: FAILED: {result.Failure}");
            }

            foreach (var (error, count) in result.Errors.OrderByDescending(e => e.Value))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{result.Server}: {count} reader(s) stopped: {error}");
            }
        }

        if (results.FirstOrDefault(r => r.Ran && r.StarvedRule is not null) is { } any)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"starved means: {any.StarvedRule}");
        }
    }

    /// <summary>The ratios the issue asks for, for RTMP and HLS, when both servers ran them.</summary>
    private static string? BuildComparison(List<ScenarioResult> scenarios)
    {
        var table = new TextTable("metric", "LiveRelay", "nginx-rtmp", "LiveRelay/nginx");
        var rows = 0;
        foreach (var protocol in new[] { PlayerProtocol.Rtmp, PlayerProtocol.Hls })
        {
            var name = protocol.Name();
            var liveRelay = scenarios.FirstOrDefault(s => s.Ran && s.Protocol == name && s.Server == LiveRelayServerProcess.ServerName);
            var nginx = scenarios.FirstOrDefault(s => s.Ran && s.Protocol == name && s.Server == NginxRtmpServer.ServerName);
            if (liveRelay is null || nginx is null)
            {
                continue;
            }

            void Row(string metric, Func<ScenarioResult, double?> value, string format, double floor)
            {
                table.Add($"{name.ToUpperInvariant()} {metric}", Format.Number(value(liveRelay), format), Format.Number(value(nginx), format), Format.Ratio(value(liveRelay), value(nginx), floor));
                rows++;
            }

            Row("server CPU %", r => r.Cpu?.ServerPercent, "0.0", Floors.CpuPercent);
            Row("CPU per reader %", r => r.CpuPerReaderPercent, "0.000", Floors.CpuPerReader);
            Row("CPU per reader above publishers-only %", r => r.MarginalCpuPerReaderPercent, "0.000", Floors.CpuPerReader);
            Row("memory per reader KiB", r => r.MemoryPerReaderKiB, "0.0", Floors.MemoryKiB);
            Row("TTFF median ms", r => r.TtffMedianMs, "0", Floors.Milliseconds);
            Row("TTFF p99 ms", r => r.TtffP99Ms, "0", Floors.Milliseconds);
            Row("publish → first HLS segment ms", r => r.PublishToFirstHlsSegmentMedianMs, "0", Floors.Milliseconds);
            Row("readers starved", r => r.Starved, "0", Floors.Count);
        }

        return rows == 0 ? null : table.ToString();
    }
}
