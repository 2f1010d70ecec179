using System.Collections.Concurrent;

namespace LiveRelay.Server.Control;

/// <summary>
/// The alerts a director needs (docs/control.md): feed lost, no keyframe for over 10 s, bitrate
/// collapse, audio silent, program on fallback. Each is raised once and cleared once; the recent ones
/// are kept for pages that connect later.
/// </summary>
public sealed class FeedAlerts(TimeProvider time)
{
    public static readonly TimeSpan NoKeyframeAfter = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan SilentAfter = TimeSpan.FromSeconds(10);
    public const double SilenceDb = -60;

    private const int HistorySeconds = 10;
    private const int MaxKept = 200;
    private const double MinReferenceKbps = 100;

    private readonly ConcurrentDictionary<(AlertKind Kind, string Path), Alert> _active = new();
    private readonly ConcurrentDictionary<string, FeedState> _feeds = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Alert> _recent = new();

    /// <summary>Raised with every alert raised or cleared.</summary>
    public event Action<Alert>? Changed;

    /// <summary>Active alerts and those cleared lately, newest first, each in its latest state.</summary>
    public IReadOnlyList<Alert> Recent
    {
        get
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            return [.. _recent.Reverse().Where(a => seen.Add(a.Id))];
        }
    }

    public void Raise(AlertKind kind, AlertSeverity severity, string path, string message)
    {
        var alert = new Alert(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)), kind, severity, path, message, time.GetUtcNow(), false);
        if (_active.TryAdd((kind, path), alert))
        {
            Publish(alert);
        }
    }

    public void Clear(AlertKind kind, string path)
    {
        if (_active.TryRemove((kind, path), out var alert))
        {
            Publish(alert with { At = time.GetUtcNow(), Cleared = true });
        }
    }

    /// <summary>A feed's publisher left.</summary>
    public void FeedLost(string path)
    {
        _feeds.TryRemove(path, out _);
        Clear(AlertKind.NoKeyframe, path);
        Clear(AlertKind.BitrateCollapse, path);
        Clear(AlertKind.AudioSilent, path);
        Raise(AlertKind.FeedLost, AlertSeverity.Critical, path, $"{path}: the feed was lost (its publisher left)");
    }

    /// <summary>A feed's publisher is back (or new).</summary>
    public void FeedOnline(string path) => Clear(AlertKind.FeedLost, path);

    /// <summary>A stream is gone for good (its reconnect grace is over): its alerts end with it.</summary>
    public void StreamEnded(string path)
    {
        _feeds.TryRemove(path, out _);
        foreach (var kind in Enum.GetValues<AlertKind>())
        {
            Clear(kind, path);
        }
    }

    /// <summary>Looks at one live feed's health (once a second).</summary>
    public void Evaluate(FeedHealth health, bool hasVideo, TimeSpan sincePublished)
    {
        ArgumentNullException.ThrowIfNull(health);
        var path = health.Path;
        var state = _feeds.GetOrAdd(path, _ => new FeedState());

        var sinceKeyframe = health.SecondsSinceKeyframe is { } s ? TimeSpan.FromSeconds(s) : sincePublished;
        if (hasVideo && sinceKeyframe > NoKeyframeAfter)
        {
            Raise(AlertKind.NoKeyframe, AlertSeverity.Warning, path, $"{path}: no keyframe for {sinceKeyframe.TotalSeconds:0} s");
        }
        else
        {
            Clear(AlertKind.NoKeyframe, path);
        }

        lock (state)
        {
            var reference = state.Average();
            if (state.Count == HistorySeconds && reference >= MinReferenceKbps && health.BitrateKbps < reference / 4)
            {
                state.CollapseReference ??= reference;
                Raise(AlertKind.BitrateCollapse, AlertSeverity.Warning, path, $"{path}: bitrate fell to {health.BitrateKbps:0} kbit/s from {reference:0}");
            }
            else if (state.CollapseReference is { } before && health.BitrateKbps >= before / 2)
            {
                state.CollapseReference = null;
                Clear(AlertKind.BitrateCollapse, path);
            }

            if (state.CollapseReference is null)
            {
                state.Add(health.BitrateKbps);
            }

            if (health.AudioLevelDb is { } level && level < SilenceDb)
            {
                state.SilentSince ??= time.GetUtcNow();
                if (time.GetUtcNow() - state.SilentSince > SilentAfter)
                {
                    Raise(AlertKind.AudioSilent, AlertSeverity.Warning, path, $"{path}: audio silent (below {SilenceDb} dBFS) for over {SilentAfter.TotalSeconds:0} s");
                }
            }
            else if (health.AudioLevelDb is not null)
            {
                state.SilentSince = null;
                Clear(AlertKind.AudioSilent, path);
            }
        }
    }

    private void Publish(Alert alert)
    {
        _recent.Enqueue(alert);
        while (_recent.Count > MaxKept && _recent.TryDequeue(out _))
        {
        }

        Changed?.Invoke(alert);
    }

    /// <summary>One feed's last seconds of bitrate and the alert conditions in progress.</summary>
    private sealed class FeedState
    {
        private readonly double[] _kbps = new double[HistorySeconds];
        private int _next;

        public int Count { get; private set; }

        public double? CollapseReference { get; set; }

        public DateTimeOffset? SilentSince { get; set; }

        public void Add(double kbps)
        {
            _kbps[_next] = kbps;
            _next = (_next + 1) % HistorySeconds;
            Count = Math.Min(Count + 1, HistorySeconds);
        }

        public double Average() => Count == 0 ? 0 : _kbps.Take(Count).Average();
    }
}
