namespace LiveRelay.Core.Streams;

/// <summary>Behaviour of live streams in the hub.</summary>
public sealed record StreamOptions
{
    /// <summary>
    /// How long a stream waits for its publisher to come back before it ends. Readers stay
    /// connected meanwhile, and a publisher that returns continues the same timeline.
    /// </summary>
    public TimeSpan ReconnectGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most frames held in a stream's GOP cache; a longer GOP is not cached.</summary>
    public int MaxGopFrames { get; init; } = 4096;

    /// <summary>Most payload bytes held in a stream's GOP cache; a larger GOP is not cached.</summary>
    public long MaxGopBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Queue bounds for network readers.</summary>
    public ReaderOptions Readers { get; init; } = ReaderOptions.Default;

    /// <summary>
    /// Apps (first path segments) only the server's own outputs publish to: <c>program</c> holds the
    /// rundowns' program outputs, which no encoder may take over.
    /// </summary>
    public IReadOnlyList<string> ReservedApps { get; init; } = ["program"];

    /// <summary>Most streams published from outside at once (pulls and program outputs count too; 0: no limit).</summary>
    public int MaxPublishers { get; init; }

    /// <summary>Most players of one stream (connections; HLS players are requests and not counted; 0: no limit).</summary>
    public int MaxPlayersPerStream { get; init; }

    /// <summary>A publisher sending more than this many bits per second (over 5 s) is disconnected (0: no limit).</summary>
    public long MaxPublishBitrate { get; init; }

    /// <summary>A publisher that sends no frame for this long is disconnected (<see cref="TimeSpan.Zero"/>: never).</summary>
    public TimeSpan PublisherIdleTimeout { get; init; }
}
