namespace LiveRelay.LoadTest.Reporting;

/// <summary>Everything one run measured, with what it ran on; written as text and as JSON.</summary>
internal sealed record RunReport
{
    public required DateTimeOffset StartedAt { get; init; }

    public required string CommandLine { get; init; }

    public required string Machine { get; init; }

    public required string ServerDll { get; init; }

    public required string Clip { get; init; }

    public required double StreamBitrateMbps { get; init; }

    public required int Readers { get; init; }

    public required int Streams { get; init; }

    /// <summary>How the publishers sent the clip: "rtmp" or "srt".</summary>
    public required string Ingest { get; init; }

    public required int WindowSeconds { get; init; }

    public required int WarmupSeconds { get; init; }

    public required int SettleSeconds { get; init; }

    public required double JoinSpreadSeconds { get; init; }

    /// <summary>True when the window was under 30 s (--quick): a smoke test, not a measurement.</summary>
    public required bool Quick { get; init; }

    public List<ScenarioResult> Scenarios { get; init; } = [];
}
