using System.Diagnostics.Metrics;
using LiveRelay.Server.Metrics;
using LiveRelay.Testing;

namespace LiveRelay.Server.Tests.Metrics;

public sealed class PrometheusExporterTests : IDisposable
{
    private readonly string _meterName = "LiveRelay.Test." + Guid.NewGuid().ToString("N");
    private readonly Meter _meter;
    private readonly PrometheusExporter _exporter;

    public PrometheusExporterTests()
    {
        _exporter = new PrometheusExporter(_meterName);
        _meter = new Meter(_meterName);
    }

    public void Dispose()
    {
        _meter.Dispose();
        _exporter.Dispose();
    }

    [Fact]
    public void Scrape_Counter_IsNamedWithUnitAndTotalAndSumsPerLabelSet()
    {
        var counter = _meter.CreateCounter<long>("liverelay.bytes.sent", "By", "Bytes sent.");
        counter.Add(100, new KeyValuePair<string, object?>("protocol", "rtmp"));
        counter.Add(50, new KeyValuePair<string, object?>("protocol", "rtmp"));
        counter.Add(7, new KeyValuePair<string, object?>("protocol", "flv"));

        var text = _exporter.Scrape();

        var family = PrometheusTextParser.Parse(text)["liverelay_bytes_sent_bytes_total"];
        Assert.Equal("counter", family.Type);
        Assert.Equal("Bytes sent.", family.Help);
        Assert.Equal(150, family.Samples.Single(s => s.Label("protocol") == "rtmp").Value);
        Assert.Equal(7, family.Samples.Single(s => s.Label("protocol") == "flv").Value);
    }

    [Fact]
    public void Scrape_UpDownCounterAndObservableGauge_AreGauges()
    {
        var open = _meter.CreateUpDownCounter<long>("liverelay.connections", "{connection}", "Open connections.");
        open.Add(3, new KeyValuePair<string, object?>("state", "playing"));
        open.Add(-1, new KeyValuePair<string, object?>("state", "playing"));
        var readers = 5;
        _meter.CreateObservableGauge("liverelay.stream.readers", () => new Measurement<int>(readers, new KeyValuePair<string, object?>("stream", "live/a")));

        var families = PrometheusTextParser.Parse(_exporter.Scrape());
        Assert.Equal("gauge", families["liverelay_connections"].Type);
        Assert.Equal(2, families["liverelay_connections"].Samples.Single().Value);
        Assert.Equal(5, families["liverelay_stream_readers"].Samples.Single().Value);

        readers = 0;
        Assert.Equal(0, PrometheusTextParser.Parse(_exporter.Scrape())["liverelay_stream_readers"].Samples.Single().Value);
    }

    [Fact]
    public void Scrape_ObservableGaugeSeriesGone_IsNoLongerExposed()
    {
        var streams = new List<string> { "live/a", "live/b" };
        _meter.CreateObservableGauge("liverelay.stream.publishers", () => streams.Select(s => new Measurement<long>(1, new KeyValuePair<string, object?>("stream", s))));
        Assert.Equal(2, PrometheusTextParser.Parse(_exporter.Scrape())["liverelay_stream_publishers"].Samples.Count);

        streams.RemoveAt(0);

        var sample = Assert.Single(PrometheusTextParser.Parse(_exporter.Scrape())["liverelay_stream_publishers"].Samples);
        Assert.Equal("live/b", sample.Label("stream"));
    }

    [Fact]
    public void Scrape_Histogram_HasCumulativeBucketsFromAdviceAndSumAndCount()
    {
        var histogram = _meter.CreateHistogram("liverelay.hls.segment.duration", "s", "Segment durations.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 4] });
        foreach (var value in new[] { 0.5, 1.9, 2.0, 3.5, 9 })
        {
            histogram.Record(value);
        }

        var family = PrometheusTextParser.Parse(_exporter.Scrape())["liverelay_hls_segment_duration_seconds"];

        Assert.Equal("histogram", family.Type);
        var buckets = family.Samples.Where(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal)).ToDictionary(s => s.Label("le"), s => s.Value);
        Assert.Equal(1, buckets["1"]);
        Assert.Equal(3, buckets["2"]);
        Assert.Equal(4, buckets["4"]);
        Assert.Equal(5, buckets["+Inf"]);
        Assert.Equal(16.9, family.Samples.Single(s => s.Name.EndsWith("_sum", StringComparison.Ordinal)).Value, 6);
        Assert.Equal(5, family.Samples.Single(s => s.Name.EndsWith("_count", StringComparison.Ordinal)).Value);
    }

    [Fact]
    public void Scrape_LabelValuesWithQuotesBackslashesAndNewlines_AreEscaped()
    {
        var counter = _meter.CreateCounter<long>("liverelay.test.escapes");
        counter.Add(1, new KeyValuePair<string, object?>("stream", "a\"b\\c\nd"), new KeyValuePair<string, object?>("gc.heap.generation", "gen0"));

        var text = _exporter.Scrape();

        Assert.Contains("stream=\"a\\\"b\\\\c\\nd\"", text, StringComparison.Ordinal);
        var sample = PrometheusTextParser.Parse(text)["liverelay_test_escapes_total"].Samples.Single();
        Assert.Equal("a\"b\\c\nd", sample.Label("stream"));
        Assert.Equal("gen0", sample.Label("gc_heap_generation"));
    }

    [Fact]
    public void Scrape_OtherMeters_AreNotExported()
    {
        using var other = new Meter("Some.Other.Library");
        other.CreateCounter<long>("other.requests").Add(1);

        Assert.DoesNotContain("other_requests", _exporter.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parser_BrokenExposition_IsRejected()
    {
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("a_total 1\n# TYPE a_total counter\n"));
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("a{x=\"1} 1\n"));
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("a 1\nb 1\na 2\n"));
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"));
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse("a 1"));
    }
}
