using LiveRelay.LoadTest.Cli;

namespace LiveRelay.LoadTest.Servers;

/// <summary>
/// A running server the tool started on loopback (the seam between LiveRelay and nginx-rtmp):
/// where to publish and play, and which processes to measure.
/// </summary>
internal interface IServerUnderTest : IAsyncDisposable
{
    /// <summary>Short name for reports: "LiveRelay", "nginx-rtmp".</summary>
    string Name { get; }

    /// <summary>What <see cref="StartupTime"/> measures, e.g. "start → /healthz 200".</summary>
    string StartupMeaning { get; }

    /// <summary>From starting the process until it answered as ready.</summary>
    TimeSpan StartupTime { get; }

    /// <summary>Every process whose CPU and memory count as the server's (nginx: master and worker).</summary>
    IReadOnlyList<int> ProcessIds { get; }

    /// <summary>True when the server's main process has exited.</summary>
    bool HasExited { get; }

    /// <summary>What the server last logged (for error messages).</summary>
    string RecentOutput { get; }

    /// <summary>The server's Prometheus /metrics (for .NET GC figures), or null when it has none.</summary>
    Uri? MetricsUri { get; }

    /// <summary>Where the publisher sends <paramref name="stream"/> over <paramref name="ingest"/> (an rtmp:// or srt:// URI).</summary>
    /// <exception cref="NotSupportedException">The server has no such ingest (see <see cref="ServerTarget.Unavailable"/>).</exception>
    Uri PublishUri(IngestProtocol ingest, string stream);

    /// <summary>The HLS playlist of <paramref name="stream"/>.</summary>
    Uri PlaylistUri(string stream);

    /// <summary>Where a player of <paramref name="protocol"/> plays <paramref name="stream"/>, or null when the server does not serve it.</summary>
    Uri? PlayUri(PlayerProtocol protocol, string stream);
}

/// <summary>A kind of server the tool can start, and what it serves.</summary>
/// <param name="Name">Short name for reports.</param>
/// <param name="Unavailable">
/// Why a scenario cannot run on it (the ingest, or the readers' protocol; null for publishers only), or
/// null when it can.
/// </param>
/// <param name="StartAsync">Starts one instance on free loopback ports and waits until it is ready.</param>
internal sealed record ServerTarget(
    string Name,
    Func<IngestProtocol, PlayerProtocol?, string?> Unavailable,
    Func<CancellationToken, Task<IServerUnderTest>> StartAsync);
