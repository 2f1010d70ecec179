using LiveRelay.LoadTest.Measurement;
using LiveRelay.LoadTest.Players;

namespace LiveRelay.LoadTest.Reporting;

/// <summary>What one scenario (one server, one protocol, N readers) measured. Null fields were not measured.</summary>
internal sealed record ScenarioResult
{
    public required string Server { get; init; }

    /// <summary>The readers' protocol, or "none" for a publishers-only scenario.</summary>
    public required string Protocol { get; init; }

    /// <summary>How the publishers sent the clip: "rtmp" or "srt".</summary>
    public required string Ingest { get; init; }

    public required int Readers { get; init; }

    public required int Streams { get; init; }

    /// <summary>Why the scenario did not run (the server or the tool does not serve the protocol).</summary>
    public string? NotAvailable { get; init; }

    /// <summary>Why the scenario stopped part way, with the server's last output.</summary>
    public string? Failure { get; init; }

    public string? StartupMeaning { get; init; }

    public double? StartupMs { get; init; }

    /// <summary>Publish → first HLS segment for each stream, in ms.</summary>
    public IReadOnlyList<double> PublishToFirstHlsSegmentMs { get; init; } = [];

    public double? PublishToFirstHlsSegmentMedianMs => Percentiles.Median([.. PublishToFirstHlsSegmentMs]);

    /// <summary>The published stream's bitrate (the clip as probed), Mbit/s.</summary>
    public double StreamBitrateMbps { get; init; }

    public double WindowSeconds { get; init; }

    public CpuUsage? Cpu { get; init; }

    /// <summary>Server CPU with its publishers only (end of the warm-up, before readers), % of one core.</summary>
    public double? BaselineCpuPercent { get; init; }

    /// <summary>(Server CPU in the window − <see cref="BaselineCpuPercent"/>) / readers: what one more reader costs.</summary>
    public double? MarginalCpuPerReaderPercent => Cpu is null || BaselineCpuPercent is null || Readers == 0 ? null : (Cpu.ServerPercent - BaselineCpuPercent.Value) / Readers;

    /// <summary>The server's .NET GC over the window (LiveRelay's /metrics); null for other servers.</summary>
    public DotnetRuntimeWindow? ServerRuntime { get; init; }

    /// <summary>Server CPU over the window divided by published streams, % of one core (what one stream costs with no readers).</summary>
    public double? CpuPerStreamPercent => Cpu is null || Streams == 0 ? null : Cpu.ServerPercent / Streams;

    /// <summary>SRT readers: what libsrt counted on their receiving side over the window, summed.</summary>
    public SrtReceiveTotals? SrtReaderLink { get; init; }

    /// <summary>WHEP viewers: SRTP packets, video frames, video packets missing and packets rejected over the window, summed.</summary>
    public WhepReceiveTotals? WhepViewerLink { get; init; }

    /// <summary>WHEP viewers: video frames per second per viewer over the window (mean).</summary>
    public double? WhepFramesPerViewerPerSecond => WhepViewerLink is { } l && Readers > 0 && WindowSeconds > 0 ? l.VideoFrames / (double)Readers / WindowSeconds : null;

    /// <summary>The server's child processes (LiveRelay's ffmpegs, e.g. WHEP's AAC → Opus), not counted in the server's CPU and RSS.</summary>
    public ServerChildUsage? ServerChildren { get; init; }

    /// <summary>Server CPU over the window divided by readers, % of one core.</summary>
    public double? CpuPerReaderPercent => Cpu is null || Readers == 0 ? null : Cpu.ServerPercent / Readers;

    public long? RssBaselineKiB { get; init; }

    public long? RssEndKiB { get; init; }

    /// <summary>(RSS at the end − RSS before readers) / readers.</summary>
    public double? MemoryPerReaderKiB => RssBaselineKiB is { } start && RssEndKiB is { } end && Readers > 0 ? (double)(end - start) / Readers : null;

    public long? ToolRssKiB { get; init; }

    /// <summary>Everything all readers received in the window, Mbit/s.</summary>
    public double? DeliveredMbps { get; init; }

    /// <summary>Readers × stream bitrate, Mbit/s.</summary>
    public double ExpectedMbps => Readers * StreamBitrateMbps;

    public double? PerReaderMbpsMedian { get; init; }

    public double? PerReaderMbpsMin { get; init; }

    /// <summary>Readers that got a first frame.</summary>
    public int Joined { get; init; }

    /// <summary>Readers that stopped with an error before the end.</summary>
    public int Failed { get; init; }

    /// <summary>Readers that received under 95 % of the stream in the window (see <see cref="StarvedRule"/>).</summary>
    public int? Starved { get; init; }

    public string? StarvedRule { get; init; }

    public double? TtffMedianMs { get; init; }

    public double? TtffP99Ms { get; init; }

    public double? TtffMaxMs { get; init; }

    /// <summary>HLS: segments readers never got (left the playlist or 404).</summary>
    public long? HlsMissedSegments { get; init; }

    /// <summary>Reader errors, grouped by message.</summary>
    public IReadOnlyDictionary<string, int> Errors { get; init; } = new Dictionary<string, int>();

    public bool Ran => NotAvailable is null && Failure is null;
}
