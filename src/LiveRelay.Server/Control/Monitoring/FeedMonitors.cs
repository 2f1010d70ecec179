using System.Collections.Concurrent;
using LiveRelay.Core.Streams;
using LiveRelay.Newsroom.Model;

namespace LiveRelay.Server.Control.Monitoring;

/// <summary>
/// Runs a <see cref="FeedMonitor"/> for every live feed while at least one control page watches
/// (pages say so with <c>SetWatching</c>), and stops them all a little after the last page stopped
/// watching, or a feed's monitor when the feed ends. At most <see cref="MaxMonitors"/> run at once.
/// </summary>
public sealed partial class FeedMonitors(TimeProvider time, ILoggerFactory loggers) : IAsyncDisposable
{
    /// <summary>How long monitors outlive the last watcher (a page reload should not restart them).</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, FeedMonitor> _monitors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _watchers = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<FeedMonitor>();
    private long _lastWatchedAt;

    /// <summary>The most feeds monitored at once (one ffmpeg each).</summary>
    public int MaxMonitors { get; init; } = 32;

    public int Running => _monitors.Count;

    public void Watch(string connectionId, bool watching)
    {
        if (watching)
        {
            _watchers[connectionId] = 0;
        }
        else if (_watchers.TryRemove(connectionId, out _) && _watchers.IsEmpty)
        {
            Volatile.Write(ref _lastWatchedAt, time.GetTimestamp());
        }
    }

    public FeedMonitor? Find(string path) => _monitors.TryGetValue(path, out var monitor) ? monitor : null;

    /// <summary>Starts and stops monitors to match the live feeds and the watchers (once a second).</summary>
    public async Task TickAsync(IEnumerable<LiveStream> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        var watched = !_watchers.IsEmpty || (Volatile.Read(ref _lastWatchedAt) is var last and not 0 && time.GetElapsedTime(last) < Linger);
        var live = watched
            ? streams.Where(s => s.State == StreamState.Live && !IsProgram(s.Path) && FeedMonitor.CanMonitor(s))
                .ToDictionary(s => s.Path, StringComparer.Ordinal)
            : [];
        foreach (var (path, monitor) in _monitors)
        {
            // Gone, a new stream at the same path (the old one ended), or new tracks (audio came later).
            if ((!live.TryGetValue(path, out var stream) || !ReferenceEquals(stream, monitor.Stream) || !monitor.MatchesTracks)
                && _monitors.TryRemove(path, out _))
            {
                await StopAsync(monitor).ConfigureAwait(false);
            }
        }

        foreach (var stream in live.Values)
        {
            if (_monitors.Count >= MaxMonitors)
            {
                break;
            }

            if (!_monitors.ContainsKey(stream.Path))
            {
                _monitors[stream.Path] = new FeedMonitor(stream, time, _logger);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var path in _monitors.Keys)
        {
            if (_monitors.TryRemove(path, out var monitor))
            {
                await StopAsync(monitor).ConfigureAwait(false);
            }
        }
    }

    private async Task StopAsync(FeedMonitor monitor)
    {
        try
        {
            await monitor.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // One monitor's trouble must not keep the others (or the shutdown) from going on.
            Log.StopFailed(_logger, monitor.Path, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2401, LogLevel.Warning, "Feed monitor of {StreamPath} did not stop cleanly")]
        public static partial void StopFailed(ILogger logger, string streamPath, Exception exception);
    }

    internal static bool IsProgram(string path) => path.StartsWith(Rundown.ProgramPathFor(""), StringComparison.Ordinal);
}
