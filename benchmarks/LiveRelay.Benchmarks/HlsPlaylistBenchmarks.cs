using BenchmarkDotNet.Attributes;
using LiveRelay.Formats.Hls;

namespace LiveRelay.Benchmarks;

/// <summary>The HLS segmenter's per-segment work besides muxing: rebuilding the sliding playlist.</summary>
[MemoryDiagnoser]
public class HlsPlaylistBenchmarks
{
    private List<HlsSegmentEntry> _segments = [];

    [GlobalSetup]
    public void Setup()
    {
        var start = new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
        _segments = Enumerable.Range(100, 6)
            .Select(i => new HlsSegmentEntry(i, $"1a2b3c4_{i}.ts", 2.0, start.AddSeconds(2 * i), i == 103))
            .ToList();
    }

    /// <summary>Six segments with program date-times and one discontinuity (once per segment, shared by every request).</summary>
    [Benchmark]
    public int WritePlaylist() =>
        HlsPlaylistWriter.WriteMediaPlaylist(2, 100, 3, _segments, ended: false).Length;
}
