using LiveRelay.Core.Buffers;

namespace LiveRelay.Protocols.Http.Hls;

/// <summary>A finished MPEG-TS segment held in pooled memory.</summary>
internal sealed class HlsSegment(long sequence, string name, double durationSeconds, DateTimeOffset programDateTime, bool discontinuity, MediaBuffer data)
{
    public long Sequence { get; } = sequence;

    /// <summary>File name in the playlist, e.g. <c>a1b2_42.ts</c>.</summary>
    public string Name { get; } = name;

    public double DurationSeconds { get; } = durationSeconds;

    public DateTimeOffset ProgramDateTime { get; } = programDateTime;

    public bool Discontinuity { get; } = discontinuity;

    /// <summary>True once its discontinuity was counted in EXT-X-DISCONTINUITY-SEQUENCE.</summary>
    public bool Counted { get; set; }

    /// <summary>The TS bytes; the segment list holds one reference, each response in flight another.</summary>
    public MediaBuffer Data { get; } = data;
}
