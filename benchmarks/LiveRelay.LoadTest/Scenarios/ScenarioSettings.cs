using LiveRelay.LoadTest.Cli;
using LiveRelay.LoadTest.Source;

namespace LiveRelay.LoadTest.Scenarios;

/// <summary>The shape of every scenario of a run.</summary>
/// <param name="Readers">Readers per scenario; reader i plays stream i mod <paramref name="Streams"/>; 0 for publishers only.</param>
/// <param name="Streams">Published streams, named load0, load1, …</param>
/// <param name="Window">Length of the measurement window.</param>
/// <param name="Warmup">How long the server runs with only its publishers before the baseline.</param>
/// <param name="Settle">Wait between the last join and the window.</param>
/// <param name="Clip">What every publisher loops; its GOP is the join spread.</param>
/// <param name="Ingest">How the publishers send the clip.</param>
internal sealed record ScenarioSettings(int Readers, int Streams, TimeSpan Window, TimeSpan Warmup, TimeSpan Settle, TestClip Clip, IngestProtocol Ingest)
{
    /// <summary>The scenario label of a publishers-only run (<c>--readers 0</c>).</summary>
    public const string PublishersOnly = "none";

    /// <summary>The end of the warm-up over which the publishers-only CPU is measured.</summary>
    public TimeSpan BaselineCpuWindow => Warmup < TimeSpan.FromSeconds(5) ? Warmup : TimeSpan.FromSeconds(5);

    /// <summary>Readers join spread evenly over one GOP: reader i starts at i × GOP / N.</summary>
    public TimeSpan JoinSpread => Clip.Spec.Gop;

    /// <summary>A reader is starved below this fraction of the stream.</summary>
    public const double StarvedBelow = 0.95;

    /// <summary>Longest wait for a new stream's first HLS segment.</summary>
    public static readonly TimeSpan FirstSegmentTimeLimit = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for players to stop after the window.</summary>
    public static readonly TimeSpan StopTimeLimit = TimeSpan.FromSeconds(10);

    public static string StreamName(int index) => $"load{index}";
}
