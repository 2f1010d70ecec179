using System.Globalization;
using System.Text;

namespace LiveRelay.Formats.Hls;

/// <summary>
/// Writes HLS media playlists (RFC 8216), version 3: decimal #EXTINF durations, MPEG-TS segments.
/// Lines end with LF; numbers use the invariant culture.
/// </summary>
public static class HlsPlaylistWriter
{
    //  #EXTM3U
    //  #EXT-X-VERSION:3
    //  #EXT-X-TARGETDURATION:<s>
    //  #EXT-X-MEDIA-SEQUENCE:<n>
    //  [#EXT-X-DISCONTINUITY-SEQUENCE:<n>]          only when > 0
    //  per segment:
    //    [#EXT-X-DISCONTINUITY]
    //    [#EXT-X-PROGRAM-DATE-TIME:<YYYY-MM-DDThh:mm:ss.SSSZ|±hh:mm>]
    //    #EXTINF:<duration, 3 decimals>,
    //    <uri>
    //  [#EXT-X-ENDLIST]
    /// <summary>Writes a media playlist.</summary>
    /// <param name="targetDurationSeconds">#EXT-X-TARGETDURATION: at least every segment's rounded duration (see <see cref="GetTargetDuration"/>).</param>
    /// <param name="mediaSequence">#EXT-X-MEDIA-SEQUENCE: the first segment's sequence number.</param>
    /// <param name="discontinuitySequence">#EXT-X-DISCONTINUITY-SEQUENCE: discontinuities that left the playlist; omitted when 0.</param>
    /// <param name="segments">The segments, consecutive from <paramref name="mediaSequence"/>.</param>
    /// <param name="ended">Write #EXT-X-ENDLIST (the stream is over).</param>
    /// <exception cref="ArgumentException">A count is out of range, a sequence number is not consecutive from
    /// <paramref name="mediaSequence"/>, a duration is negative or not finite, or a URI is empty or contains a line break.</exception>
    public static string WriteMediaPlaylist(int targetDurationSeconds, long mediaSequence, long discontinuitySequence, IReadOnlyList<HlsSegmentEntry> segments, bool ended)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetDurationSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(mediaSequence);
        ArgumentOutOfRangeException.ThrowIfNegative(discontinuitySequence);
        ArgumentNullException.ThrowIfNull(segments);
        for (var i = 0; i < segments.Count; i++)
        {
            Validate(segments[i], mediaSequence + i);
        }

        var text = new StringBuilder(128 + 96 * segments.Count);
        var culture = CultureInfo.InvariantCulture;
        text.Append("#EXTM3U\n");
        text.Append("#EXT-X-VERSION:3\n");
        text.Append(culture, $"#EXT-X-TARGETDURATION:{targetDurationSeconds}\n");
        text.Append(culture, $"#EXT-X-MEDIA-SEQUENCE:{mediaSequence}\n");
        if (discontinuitySequence > 0)
        {
            text.Append(culture, $"#EXT-X-DISCONTINUITY-SEQUENCE:{discontinuitySequence}\n");
        }

        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            if (segment.Discontinuity)
            {
                text.Append("#EXT-X-DISCONTINUITY\n");
            }

            if (segment.ProgramDateTime is { } time)
            {
                text.Append("#EXT-X-PROGRAM-DATE-TIME:").Append(FormatDateTime(time)).Append('\n');
            }

            text.Append(culture, $"#EXTINF:{segment.DurationSeconds:0.000},\n");
            text.Append(segment.Uri).Append('\n');
        }

        if (ended)
        {
            text.Append("#EXT-X-ENDLIST\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// The smallest valid #EXT-X-TARGETDURATION for the segments: the largest duration rounded to the
    /// nearest integer (RFC 8216 4.3.3.1), and at least <paramref name="minimum"/>.
    /// </summary>
    public static int GetTargetDuration(IReadOnlyList<HlsSegmentEntry> segments, int minimum = 1)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var target = Math.Max(minimum, 1);
        for (var i = 0; i < segments.Count; i++)
        {
            target = Math.Max(target, (int)Math.Round(segments[i].DurationSeconds, MidpointRounding.AwayFromZero));
        }

        return target;
    }

    /// <summary>ISO 8601 with milliseconds: <c>2024-05-06T07:08:09.010Z</c>, or <c>...+02:00</c> for a non-zero offset.</summary>
    public static string FormatDateTime(DateTimeOffset time) => time.Offset == TimeSpan.Zero
        ? time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)
        : time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    private static void Validate(HlsSegmentEntry segment, long expectedSequence)
    {
        ArgumentNullException.ThrowIfNull(segment, nameof(segment));
        if (segment.Sequence != expectedSequence)
        {
            throw new ArgumentException($"Segment sequence {segment.Sequence} should be {expectedSequence}: segments follow the media sequence without gaps.", "segments");
        }

        if (!double.IsFinite(segment.DurationSeconds) || segment.DurationSeconds < 0)
        {
            throw new ArgumentException($"Segment {segment.Sequence} has duration {segment.DurationSeconds}.", "segments");
        }

        if (string.IsNullOrEmpty(segment.Uri) || segment.Uri.AsSpan().ContainsAny('\r', '\n'))
        {
            throw new ArgumentException($"Segment {segment.Sequence} has an empty URI or one with a line break.", "segments");
        }
    }
}
