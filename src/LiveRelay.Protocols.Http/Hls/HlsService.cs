using System.Collections.Concurrent;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Streams;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Protocols.Http.Hls;

/// <summary>
/// Keeps one <see cref="HlsStreamMuxer"/> per live stream: started with the stream (so partners
/// pulling HLS get segments from the first GOP), finished with EXT-X-ENDLIST when the stream
/// ends, and dropped after the retention period.
/// </summary>
public sealed partial class HlsService : IDisposable
{
    private readonly ConcurrentDictionary<string, HlsStreamMuxer> _muxers = new(StringComparer.Ordinal);
    private readonly StreamHub _hub;
    private readonly HlsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<HlsService> _logger;

    public HlsService(StreamHub hub, HlsOptions options, TimeProvider time, LiveRelayMetrics metrics, ILogger<HlsService> logger)
    {
        Metrics = metrics;
        _hub = hub;
        _options = options;
        _time = time;
        _logger = logger;
        hub.StreamStarted += OnStreamStarted;
    }

    /// <summary>Where HLS records what it does.</summary>
    public LiveRelayMetrics Metrics { get; }

    /// <summary>The options in force.</summary>
    public HlsOptions Options => _options;

    /// <summary>The streams the muxers follow.</summary>
    public StreamHub Hub => _hub;

    /// <summary>Raised after each segment (path, duration in seconds).</summary>
    public event Action<string, double>? SegmentWritten;

    internal HlsStreamMuxer? Find(string path) => _muxers.TryGetValue(path, out var muxer) ? muxer : null;

    public void Dispose()
    {
        _hub.StreamStarted -= OnStreamStarted;
        foreach (var muxer in _muxers.Values)
        {
            muxer.Release();
        }

        _muxers.Clear();
    }

    private void OnStreamStarted(LiveStream stream)
    {
        var muxer = new HlsStreamMuxer(stream, _options, _time, _logger);
        muxer.SegmentWritten += (m, duration) =>
        {
            Metrics.HlsSegmentWritten(duration);
            SegmentWritten?.Invoke(m.Path, duration);
        };
        if (_muxers.TryGetValue(stream.Path, out var previous))
        {
            // The path's previous stream ended and a new one started before its playlist expired.
            previous.Release();
        }

        _muxers[stream.Path] = muxer;
        Log.Started(_logger, stream.Path);
        _ = RetireAfterEndAsync(muxer);
    }

    private async Task RetireAfterEndAsync(HlsStreamMuxer muxer)
    {
        await muxer.Completion.ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(_options.EndedRetentionSeconds), _time).ConfigureAwait(false);
        if (_muxers.TryRemove(new KeyValuePair<string, HlsStreamMuxer>(muxer.Path, muxer)))
        {
            muxer.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1310, LogLevel.Debug, "HLS segmenter started for {StreamPath}")]
        public static partial void Started(ILogger logger, string streamPath);
    }
}
