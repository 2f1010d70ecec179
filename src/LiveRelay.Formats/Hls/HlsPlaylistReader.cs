using System.Globalization;

namespace LiveRelay.Formats.Hls;

/// <summary>A variant of a master playlist.</summary>
public sealed record HlsVariant(Uri Uri, long Bandwidth);

/// <summary>A segment of a media playlist, with its absolute URI and media sequence number, and the fMP4 init section (#EXT-X-MAP) it needs, if any.</summary>
public sealed record HlsSegment(long Sequence, Uri Uri, double DurationSeconds, bool Discontinuity, Uri? Map = null);

/// <summary>A parsed playlist: a master (variants) or a media playlist (segments).</summary>
public sealed record HlsPlaylist(
    IReadOnlyList<HlsVariant> Variants,
    IReadOnlyList<HlsSegment> Segments,
    double TargetDurationSeconds,
    bool EndList,
    bool HasInitSection)
{
    public bool IsMaster => Variants.Count > 0;
}

/// <summary>
/// Reads HLS playlists (RFC 8216) as a pulling client needs them: master playlists (variants with
/// their BANDWIDTH) and media playlists (media sequence, target duration, segments with #EXTINF
/// and #EXT-X-DISCONTINUITY, #EXT-X-ENDLIST, #EXT-X-MAP for fMP4). Relative URIs resolve against the
/// playlist's. Unknown tags are ignored; a file that is not a playlist throws <see cref="InvalidDataException"/>.
/// </summary>
public static class HlsPlaylistReader
{
    /// <summary>The largest playlist read, in characters.</summary>
    public const int MaxLength = 1024 * 1024;

    /// <summary>The most segments or variants kept from one playlist.</summary>
    public const int MaxEntries = 10_000;

    public static HlsPlaylist Parse(string text, Uri playlistUri)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(playlistUri);
        if (text.Length > MaxLength)
        {
            throw new InvalidDataException($"the playlist is longer than {MaxLength} characters");
        }

        var lines = text.Split('\n');
        if (lines.Length == 0 || !lines[0].TrimStart('\uFEFF').TrimEnd('\r').StartsWith("#EXTM3U", StringComparison.Ordinal))
        {
            throw new InvalidDataException("not an HLS playlist: the first line is not #EXTM3U");
        }

        List<HlsVariant> variants = [];
        List<HlsSegment> segments = [];
        long sequence = 0;
        double target = 0;
        var endList = false;
        var hasMap = false;
        Uri? map = null;
        double? duration = null;
        long? bandwidth = null;
        var discontinuity = false;
        foreach (var raw in lines.AsSpan(1))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("#EXT-X-MEDIA-SEQUENCE:", StringComparison.Ordinal))
            {
                sequence = ParseLong(line["#EXT-X-MEDIA-SEQUENCE:".Length..], "EXT-X-MEDIA-SEQUENCE");
            }
            else if (line.StartsWith("#EXT-X-TARGETDURATION:", StringComparison.Ordinal))
            {
                target = ParseDouble(line["#EXT-X-TARGETDURATION:".Length..], "EXT-X-TARGETDURATION");
            }
            else if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                var value = line["#EXTINF:".Length..];
                var comma = value.IndexOf(',', StringComparison.Ordinal);
                duration = ParseDouble(comma >= 0 ? value[..comma] : value, "EXTINF");
            }
            else if (line.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal))
            {
                bandwidth = Attribute(line, "BANDWIDTH") is { } b && long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var bps) ? bps : 0;
            }
            else if (line == "#EXT-X-DISCONTINUITY")
            {
                discontinuity = true;
            }
            else if (line == "#EXT-X-ENDLIST")
            {
                endList = true;
            }
            else if (line.StartsWith("#EXT-X-MAP:", StringComparison.Ordinal))
            {
                hasMap = true;
                if (Attribute(line, "BYTERANGE") is not null)
                {
                    throw new InvalidDataException("#EXT-X-MAP with a BYTERANGE is not read");
                }

                map = Attribute(line, "URI") is { Length: > 0 } mapUri
                    ? Resolve(playlistUri, mapUri)
                    : throw new InvalidDataException("#EXT-X-MAP without a URI");
            }
            else if (!line.StartsWith('#'))
            {
                if (variants.Count + segments.Count >= MaxEntries)
                {
                    throw new InvalidDataException($"the playlist lists more than {MaxEntries} entries");
                }

                var uri = Resolve(playlistUri, line);
                if (bandwidth is { } bps)
                {
                    variants.Add(new HlsVariant(uri, bps));
                    bandwidth = null;
                }
                else
                {
                    segments.Add(new HlsSegment(sequence + segments.Count, uri, duration ?? 0, discontinuity, map));
                    duration = null;
                    discontinuity = false;
                }
            }
        }

        return new HlsPlaylist(variants, segments, target, endList, hasMap);
    }

    /// <summary>A URI of the playlist resolved against the playlist's; one that is not a URI is a format error.</summary>
    private static Uri Resolve(Uri playlistUri, string reference) =>
        Uri.TryCreate(playlistUri, reference, out var uri)
            ? uri
            : throw new InvalidDataException($"not a URI: '{(reference.Length > 80 ? reference[..80] : reference)}'");

    /// <summary>The value of an attribute in an attribute list (quotes removed), or null.</summary>
    private static string? Attribute(string line, string name)
    {
        var at = line.IndexOf(name + "=", StringComparison.Ordinal);
        while (at > 0 && line[at - 1] is not (':' or ','))
        {
            at = line.IndexOf(name + "=", at + 1, StringComparison.Ordinal);
        }

        if (at < 0)
        {
            return null;
        }

        var value = line[(at + name.Length + 1)..];
        if (value.StartsWith('"'))
        {
            var close = value.IndexOf('"', 1);
            return close > 0 ? value[1..close] : null;
        }

        var comma = value.IndexOf(',', StringComparison.Ordinal);
        return comma >= 0 ? value[..comma] : value;
    }

    private static long ParseLong(string value, string tag) =>
        long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new InvalidDataException($"#{tag} is not a number: '{value}'");

    private static double ParseDouble(string value, string tag) =>
        double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= 0 && double.IsFinite(number)
            ? number
            : throw new InvalidDataException($"#{tag} is not a duration: '{value}'");
}
