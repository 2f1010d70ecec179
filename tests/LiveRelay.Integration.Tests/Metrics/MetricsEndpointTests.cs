using LiveRelay.Integration.Tests.Infrastructure;
using LiveRelay.Testing;

namespace LiveRelay.Integration.Tests.Metrics;

/// <summary>/metrics on the real server while ffmpeg publishes and plays.</summary>
[Collection(ServerCollection.Name)]
public sealed class MetricsEndpointTests(ServerFixture fixture)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly ServerProcess _server = fixture.Server;

    [Fact]
    public async Task Metrics_WhileFfmpegPublishesAndPlays_ParseAsPrometheusTextAndMove()
    {
        var before = await ScrapeAsync();
        await using var publisher = Ffmpeg.Publish(_server.RtmpUrl("live/metrics"), seconds: 12);
        await _server.Process.WaitForOutputAsync("Publishing live/metrics", s_timeout);
        using var files = new TempFiles();
        await using var player = Ffmpeg.Record(_server.HttpUrl("live/metrics.flv"), files.File("m.flv"), seconds: 3);
        await _server.Process.WaitForOutputAsync("HTTP-FLV play of live/metrics started", s_timeout);
        var hls = await _server.Http.GetStringAsync("/live/metrics/index.m3u8");
        var segment = hls.Split('\n').First(l => l.EndsWith(".ts", StringComparison.Ordinal));
        await _server.Http.GetByteArrayAsync($"/live/metrics/{segment}");

        var during = await ScrapeAsync();

        Assert.True(Value(during, "liverelay_bytes_received_bytes_total", ("protocol", "rtmp")) > Value(before, "liverelay_bytes_received_bytes_total", ("protocol", "rtmp")));
        Assert.True(Value(during, "liverelay_bytes_sent_bytes_total", ("protocol", "hls")) > 188);
        Assert.True(Value(during, "liverelay_connections_accepted_total", ("protocol", "rtmp")) >= 1);
        Assert.True(Value(during, "liverelay_connections", ("protocol", "rtmp"), ("state", "publishing")) >= 1);
        Assert.True(Value(during, "liverelay_hls_segments_total") >= 1);
        Assert.True(Value(during, "liverelay_hls_segment_duration_seconds_count") >= 1);
        Assert.True(Value(during, "dotnet_process_cpu_time_seconds_total", ("cpu_mode", "user")) > 0);
        Assert.True(Value(during, "dotnet_process_memory_working_set_bytes") > 10_000_000);
        Assert.Contains("dotnet_gc_collections_total", during.Keys);
        Assert.Contains("dotnet_thread_pool_thread_count_total", during.Keys);
        Assert.Equal("histogram", during["liverelay_take_latency_seconds"].Type);

        Assert.Equal(0, await player.WaitForExitAsync(s_timeout));
        var after = await ScrapeAsync();
        Assert.True(Value(after, "liverelay_bytes_sent_bytes_total", ("protocol", "flv")) > 100_000);
    }

    [Fact]
    public async Task StreamLabels_MoreStreamsThanTheLimit_FoldIntoOther()
    {
        // The shared server allows 2 stream labels.
        var paths = new[] { "live/fold-a", "live/fold-b", "live/fold-c" };
        var publishers = paths.Select(p => Ffmpeg.Publish(_server.RtmpUrl(p), seconds: 10)).ToList();
        try
        {
            foreach (var path in paths)
            {
                await _server.Process.WaitForOutputAsync($"Publishing {path}", s_timeout);
            }

            var families = await ScrapeAsync();
            var live = (await _server.GetJsonAsync("/api/streams")).EnumerateArray().Count(s => s.GetProperty("state").GetString() == "live");

            var samples = families["liverelay_stream_publishers"].Samples;
            var labels = samples.Select(s => s.Label("stream")).Distinct().ToList();
            Assert.InRange(labels.Count(l => l != "other"), 1, 2);
            Assert.Contains("other", labels);
            Assert.Equal(live, samples.Sum(s => s.Value));
            Assert.True(families["liverelay_stream_bitrate_bits_per_second"].Samples.Count <= 3);
        }
        finally
        {
            foreach (var publisher in publishers)
            {
                await publisher.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task GrafanaDashboard_EveryQueriedMetric_IsExported()
    {
        var dashboard = await File.ReadAllTextAsync(Path.Combine(ServerProcess.RepositoryRoot, "configs", "grafana", "liverelay-dashboard.json"));
        var queried = System.Text.RegularExpressions.Regex.Matches(dashboard, @"\b(liverelay|dotnet)_[a-z0-9_]+")
            .Select(m => System.Text.RegularExpressions.Regex.Replace(m.Value, "_(bucket|sum|count)$", ""))
            .ToHashSet();

        var families = await ScrapeAsync();

        Assert.NotEmpty(queried);
        Assert.All(queried, name => Assert.True(families.ContainsKey(name), $"the dashboard queries {name}, which /metrics does not export"));
    }

    private async Task<Dictionary<string, PrometheusTextParser.Family>> ScrapeAsync()
    {
        using var response = await _server.Http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("0.0.4", response.Content.Headers.ContentType?.Parameters.Single(p => p.Name == "version").Value);
        return PrometheusTextParser.Parse(await response.Content.ReadAsStringAsync());
    }

    private static double Value(Dictionary<string, PrometheusTextParser.Family> families, string sample, params (string Name, string Value)[] labels)
    {
        foreach (var family in families.Values)
        {
            foreach (var s in family.Samples)
            {
                if (s.Name == sample && labels.All(l => s.Label(l.Name) == l.Value))
                {
                    return s.Value;
                }
            }
        }

        return 0;
    }
}
