using System.Diagnostics.Metrics;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Streams;

namespace LiveRelay.Server.Metrics;

/// <summary>
/// Per-stream gauges read from the hub at scrape time: publishers, readers by protocol, bitrate.
/// Label cardinality is bounded: the first <c>MaxStreamLabels</c> streams (by path) get their own
/// <c>stream</c> label and the rest are summed under <c>stream="other"</c>.
/// </summary>
public sealed class StreamMetrics
{
    /// <summary>The label that streams beyond the limit are folded into.</summary>
    public const string OtherStreams = "other";

    private readonly StreamHub _hub;
    private readonly int _maxStreamLabels;

    public StreamMetrics(LiveRelayMetrics metrics, StreamHub hub, MetricsOptions options)
    {
        _hub = hub;
        _maxStreamLabels = options.MaxStreamLabels;
        var meter = metrics.Meter;
        meter.CreateObservableGauge("liverelay.streams", ObserveStreams, "{stream}", "Streams in the hub, by state (live, waiting).");
        meter.CreateObservableGauge("liverelay.stream.publishers", ObservePublishers, "{publisher}", "Publishers per stream and protocol.");
        meter.CreateObservableGauge("liverelay.stream.readers", ObserveReaders, "{reader}", "Readers per stream and protocol (the HLS segmenter excluded).");
        meter.CreateObservableGauge("liverelay.stream.bitrate", ObserveBitrate, "bit/s", "Incoming bitrate per stream over the last seconds.");
    }

    private IEnumerable<Measurement<long>> ObserveStreams() =>
        _hub.Streams.GroupBy(s => s.State).Select(g => new Measurement<long>(g.LongCount(), new KeyValuePair<string, object?>("state", g.Key.ToString().ToLowerInvariant())));

    private IEnumerable<Measurement<long>> ObservePublishers()
    {
        var counts = new Dictionary<(string Stream, string Protocol), long>();
        foreach (var (label, stream) in Labelled())
        {
            if (stream.State == StreamState.Live && stream.Publisher is { } publisher)
            {
                counts[(label, publisher.Protocol)] = counts.GetValueOrDefault((label, publisher.Protocol)) + 1;
            }
        }

        return counts.Select(c => new Measurement<long>(c.Value, new("stream", c.Key.Stream), new("protocol", c.Key.Protocol)));
    }

    private IEnumerable<Measurement<long>> ObserveReaders()
    {
        var counts = new Dictionary<(string Stream, string Protocol), long>();
        foreach (var (label, stream) in Labelled())
        {
            foreach (var (protocol, _) in stream.Audience)
            {
                counts[(label, protocol)] = counts.GetValueOrDefault((label, protocol)) + 1;
            }
        }

        return counts.Select(c => new Measurement<long>(c.Value, new("stream", c.Key.Stream), new("protocol", c.Key.Protocol)));
    }

    private IEnumerable<Measurement<double>> ObserveBitrate()
    {
        var rates = new Dictionary<string, double>();
        foreach (var (label, stream) in Labelled())
        {
            var bits = stream.VideoRate.Rate().BitsPerSecond + stream.AudioRate.Rate().BitsPerSecond;
            rates[label] = rates.GetValueOrDefault(label) + bits;
        }

        return rates.Select(r => new Measurement<double>(r.Value, new KeyValuePair<string, object?>("stream", r.Key)));
    }

    private IEnumerable<(string Label, LiveStream Stream)> Labelled() =>
        _hub.Streams.OrderBy(s => s.Path, StringComparer.Ordinal).Select((s, i) => (i < _maxStreamLabels ? s.Path : OtherStreams, s));
}

/// <summary><c>LiveRelay:Metrics</c>.</summary>
public sealed record MetricsOptions
{
    /// <summary>Streams with their own label in per-stream metrics; the rest are summed as <c>other</c>.</summary>
    public int MaxStreamLabels { get; init; } = 50;

    public IEnumerable<string> Validate()
    {
        if (MaxStreamLabels is < 0 or > 10_000)
        {
            yield return $"LiveRelay:Metrics:MaxStreamLabels must be 0..10000 (got {MaxStreamLabels})";
        }
    }
}
