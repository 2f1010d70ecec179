using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace LiveRelay.Server.Metrics;

/// <summary>
/// Writes the <c>LiveRelay</c> meter (and .NET's <c>System.Runtime</c> meter: process CPU, memory,
/// GC, thread pool) in the Prometheus text exposition format 0.0.4. This is the only class that
/// knows the output format: moving to prometheus-net or an OpenTelemetry exporter replaces it alone.
/// </summary>
/// <remarks>
/// Names: dots become underscores, the unit adds a suffix (<c>s</c> → <c>_seconds</c>,
/// <c>By</c> → <c>_bytes</c>), counters end in <c>_total</c>. Counters and histograms accumulate
/// between scrapes; observable gauges report what their callbacks return at scrape time.
/// Recording a measurement does not allocate once its series exists.
/// </remarks>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>Content type of the exposition.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] s_defaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly HashSet<string> _meters;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Family> _families = new();
    private readonly object _scrapeLock = new();

    public PrometheusExporter(params string[] meterNames)
    {
        _meters = new HashSet<string>(meterNames, StringComparer.Ordinal);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_meters.Contains(instrument.Meter.Name))
            {
                var family = _families.GetOrAdd(instrument, static i => new Family(i));
                listener.EnableMeasurementEvents(instrument, family);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _families.TryRemove(instrument, out Family? _);
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((Family)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Collects the observable instruments and writes every family.</summary>
    public string Scrape()
    {
        var text = new StringBuilder(16 * 1024);
        lock (_scrapeLock)
        {
            foreach (var family in _families.Values)
            {
                family.BeginScrape();
            }

            _listener.RecordObservableInstruments();
            foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                family.Write(text);
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    internal enum Kind
    {
        Counter,
        Gauge,
        Histogram,
    }

    /// <summary>One instrument: its exposition name, type and series by label set.</summary>
    private sealed class Family
    {
        private readonly ConcurrentDictionary<LabelSet, Series> _series = new();
        private readonly bool _observable;
        private readonly bool _cumulative;
        private readonly double[] _buckets;
        private readonly string _help;

        public Family(Instrument instrument)
        {
            var type = instrument.GetType().GetGenericTypeDefinition();
            _observable = instrument.IsObservable;
            (Kind, _cumulative) = type.Name switch
            {
                "Counter`1" => (Kind.Counter, true),
                "ObservableCounter`1" => (Kind.Counter, false),
                "Histogram`1" => (Kind.Histogram, true),
                "UpDownCounter`1" => (Kind.Gauge, true),
                _ => (Kind.Gauge, false), // ObservableGauge, ObservableUpDownCounter, Gauge
            };
            Name = MetricName(instrument.Name, instrument.Unit, Kind);
            _help = (instrument.Description ?? instrument.Name).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
            _buckets = Kind == Kind.Histogram ? Buckets(instrument) : [];
        }

        public string Name { get; }

        private Kind Kind { get; }

        public void BeginScrape()
        {
            // An observable gauge's series are exactly what its callback reports now.
            if (_observable && !_cumulative && Kind == Kind.Gauge)
            {
                _series.Clear();
            }
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = new LabelSet(tags);
            if (!_series.TryGetValue(labels, out var series))
            {
                series = _series.GetOrAdd(labels, new Series(_buckets.Length));
            }

            if (Kind == Kind.Histogram)
            {
                series.Observe(value, _buckets);
            }
            else if (_cumulative)
            {
                series.Add(value);
            }
            else
            {
                series.Set(value);
            }
        }

        /// <summary>Writes HELP and TYPE (even before the first measurement, so dashboards see the family) and the series.</summary>
        public void Write(StringBuilder text)
        {
            text.Append("# HELP ").Append(Name).Append(' ').Append(_help).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(Kind switch
            {
                Kind.Counter => "counter",
                Kind.Histogram => "histogram",
                _ => "gauge",
            }).Append('\n');
            foreach (var (labels, series) in _series.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal))
            {
                if (Kind == Kind.Histogram)
                {
                    WriteHistogram(text, labels, series);
                }
                else
                {
                    WriteSample(text, Name, labels, null, series.Value);
                }
            }
        }

        private void WriteHistogram(StringBuilder text, LabelSet labels, Series series)
        {
            var (counts, sum, count) = series.Snapshot();
            long cumulative = 0;
            for (var i = 0; i < _buckets.Length; i++)
            {
                cumulative += counts[i];
                WriteSample(text, Name + "_bucket", labels, Format(_buckets[i]), cumulative);
            }

            WriteSample(text, Name + "_bucket", labels, "+Inf", count);
            WriteSample(text, Name + "_sum", labels, null, sum);
            WriteSample(text, Name + "_count", labels, null, count);
        }

        private static void WriteSample(StringBuilder text, string name, LabelSet labels, string? le, double value)
        {
            text.Append(name);
            if (labels.Count > 0 || le is not null)
            {
                text.Append('{');
                labels.Write(text);
                if (le is not null)
                {
                    text.Append(labels.Count > 0 ? ",le=\"" : "le=\"").Append(le).Append('"');
                }

                text.Append('}');
            }

            text.Append(' ').Append(Format(value)).Append('\n');
        }

        private static double[] Buckets(Instrument instrument) => instrument switch
        {
            Histogram<double> h when h.Advice?.HistogramBucketBoundaries is { Count: > 0 } b => [.. b],
            Histogram<long> h when h.Advice?.HistogramBucketBoundaries is { Count: > 0 } b => [.. b.Select(v => (double)v)],
            Histogram<int> h when h.Advice?.HistogramBucketBoundaries is { Count: > 0 } b => [.. b.Select(v => (double)v)],
            _ => s_defaultBuckets,
        };
    }

    /// <summary>One time series: a value, or histogram buckets. Updated lock-free.</summary>
    private sealed class Series(int buckets)
    {
        private readonly long[] _counts = new long[buckets];
        private double _value;
        private double _sum;
        private long _count;

        public double Value => Volatile.Read(ref _value);

        public void Add(double delta)
        {
            double seen, next;
            do
            {
                seen = Volatile.Read(ref _value);
                next = seen + delta;
            }
            while (Interlocked.CompareExchange(ref _value, next, seen) != seen);
        }

        public void Set(double value) => Volatile.Write(ref _value, value);

        public void Observe(double value, double[] bounds)
        {
            var index = bounds.Length;
            for (var i = 0; i < bounds.Length; i++)
            {
                if (value <= bounds[i])
                {
                    index = i;
                    break;
                }
            }

            if (index < bounds.Length)
            {
                Interlocked.Increment(ref _counts[index]);
            }

            lock (this)
            {
                _sum += value;
                _count++;
            }
        }

        public (long[] Counts, double Sum, long Count) Snapshot()
        {
            lock (this)
            {
                return ([.. _counts], _sum, _count);
            }
        }
    }

    /// <summary>Up to three labels compared by value, so a lookup allocates nothing; more are folded into the third.</summary>
    private readonly struct LabelSet : IEquatable<LabelSet>
    {
        private readonly string? _k0, _v0, _k1, _v1, _k2, _v2;
        private readonly int _hash;

        public LabelSet(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            Count = Math.Min(tags.Length, 3);
            if (tags.Length > 0)
            {
                (_k0, _v0) = (tags[0].Key, Text(tags[0].Value));
            }

            if (tags.Length > 1)
            {
                (_k1, _v1) = (tags[1].Key, Text(tags[1].Value));
            }

            if (tags.Length > 2)
            {
                (_k2, _v2) = (tags[2].Key, Text(tags[2].Value));
                for (var i = 3; i < tags.Length; i++)
                {
                    _v2 += "," + tags[i].Key + "=" + Text(tags[i].Value);
                }
            }

            _hash = HashCode.Combine(_k0, _v0, _k1, _v1, _k2, _v2);
        }

        public int Count { get; }

        public bool Equals(LabelSet other) =>
            _hash == other._hash && Count == other.Count
            && _k0 == other._k0 && _v0 == other._v0 && _k1 == other._k1 && _v1 == other._v1 && _k2 == other._k2 && _v2 == other._v2;

        public override bool Equals(object? obj) => obj is LabelSet other && Equals(other);

        public override int GetHashCode() => _hash;

        public override string ToString()
        {
            var text = new StringBuilder();
            Write(text);
            return text.ToString();
        }

        public void Write(StringBuilder text)
        {
            Append(text, _k0, _v0, first: true);
            Append(text, _k1, _v1, first: false);
            Append(text, _k2, _v2, first: false);
        }

        private static void Append(StringBuilder text, string? key, string? value, bool first)
        {
            if (key is null)
            {
                return;
            }

            if (!first)
            {
                text.Append(',');
            }

            text.Append(LabelName(key)).Append("=\"");
            foreach (var c in value ?? "")
            {
                _ = c switch
                {
                    '\\' => text.Append("\\\\"),
                    '"' => text.Append("\\\""),
                    '\n' => text.Append("\\n"),
                    _ => text.Append(c),
                };
            }

            text.Append('"');
        }

        private static string? Text(object? value) => value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture);
    }

    /// <summary>Prometheus metric name for an instrument: <c>liverelay.bytes.sent</c> (By, counter) → <c>liverelay_bytes_sent_bytes_total</c>.</summary>
    internal static string MetricName(string instrument, string? unit, Kind kind)
    {
        var name = Sanitize(instrument);
        var suffix = unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "By" => "_bytes",
            "bit/s" => "_bits_per_second",
            _ => "",
        };
        if (suffix.Length > 0 && !name.EndsWith(suffix, StringComparison.Ordinal))
        {
            name += suffix;
        }

        return kind == Kind.Counter && !name.EndsWith("_total", StringComparison.Ordinal) ? name + "_total" : name;
    }

    private static string LabelName(string key) => Sanitize(key);

    private static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] == '_' || (chars[i] == ':' && i > 0)))
            {
                chars[i] = '_';
            }
        }

        return char.IsAsciiDigit(chars[0]) ? "_" + new string(chars) : new string(chars);
    }

    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
