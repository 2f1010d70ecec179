namespace LiveRelay.Core.Streams;

/// <summary>
/// Bounds of one reader's queue. A reader past any bound is skipped forward to the next
/// keyframe; one that needs too many skips in a window is cut off.
/// </summary>
public sealed record ReaderOptions
{
    /// <summary>Defaults for network players.</summary>
    public static ReaderOptions Default { get; } = new();

    /// <summary>Most frames queued for the reader.</summary>
    public int MaxQueuedFrames { get; init; } = 2048;

    /// <summary>Most payload bytes queued for the reader (references to shared frames, not copies).</summary>
    public long MaxQueuedBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Most media time (by DTS) queued for the reader.</summary>
    public TimeSpan MaxQueuedDuration { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>Skips to the next keyframe tolerated within <see cref="SkipWindow"/> before the reader is cut off.</summary>
    public int MaxSkips { get; init; } = 3;

    /// <summary>The window over which skips are counted.</summary>
    public TimeSpan SkipWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Merged writes: the consumer is woken only once this much media time is queued (or
    /// <see cref="MaxBatchFrames"/> frames), so it writes and flushes in batches instead of once per
    /// frame (SRS's mw_latency). The first batch after subscribing goes at once. Zero wakes on every frame.
    /// </summary>
    public TimeSpan MinBatchDuration { get; init; }

    /// <summary>Frames that wake the consumer regardless of <see cref="MinBatchDuration"/>.</summary>
    public int MaxBatchFrames { get; init; } = 64;
}
