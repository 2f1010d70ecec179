namespace LiveRelay.Protocols.Http.Hls;

/// <summary>HLS settings (<c>LiveRelay:Hls</c>).</summary>
public sealed record HlsOptions
{
    /// <summary>Target segment duration; segments are cut at the first keyframe after it.</summary>
    public double SegmentSeconds { get; init; } = 2;

    /// <summary>Segments listed in the sliding playlist.</summary>
    public int PlaylistSegments { get; init; } = 6;

    /// <summary>Segments kept in memory after they leave the playlist, for players still fetching them.</summary>
    public int ExtraSegments { get; init; } = 4;

    /// <summary>How long a finished playlist (with EXT-X-ENDLIST) stays available after its stream ends.</summary>
    public int EndedRetentionSeconds { get; init; } = 30;

    /// <summary>How long a playlist request waits for the first segment of a stream that just started.</summary>
    public int FirstSegmentWaitSeconds { get; init; } = 10;

    public IEnumerable<string> Validate()
    {
        if (SegmentSeconds is < 0.5 or > 30)
        {
            yield return $"LiveRelay:Hls:SegmentSeconds must be 0.5..30 (got {SegmentSeconds})";
        }

        if (PlaylistSegments is < 2 or > 100)
        {
            yield return $"LiveRelay:Hls:PlaylistSegments must be 2..100 (got {PlaylistSegments})";
        }

        if (ExtraSegments is < 0 or > 100)
        {
            yield return $"LiveRelay:Hls:ExtraSegments must be 0..100 (got {ExtraSegments})";
        }
    }
}
