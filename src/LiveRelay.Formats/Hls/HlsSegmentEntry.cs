namespace LiveRelay.Formats.Hls;

/// <summary>One segment line group of a media playlist.</summary>
/// <param name="Sequence">The segment's media sequence number.</param>
/// <param name="Uri">The segment URI as written (relative or absolute); no line breaks.</param>
/// <param name="DurationSeconds">Duration for #EXTINF.</param>
/// <param name="ProgramDateTime">Wall-clock time of the segment's first sample, for #EXT-X-PROGRAM-DATE-TIME; null to omit.</param>
/// <param name="Discontinuity">Write #EXT-X-DISCONTINUITY before this segment (timestamps or encoding change).</param>
public sealed record HlsSegmentEntry(long Sequence, string Uri, double DurationSeconds, DateTimeOffset? ProgramDateTime, bool Discontinuity);
