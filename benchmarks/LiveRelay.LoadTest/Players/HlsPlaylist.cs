using System.Globalization;

namespace LiveRelay.LoadTest.Players;

/// <summary>One media segment of a playlist: its media sequence number, EXTINF duration and absolute URI.</summary>
internal sealed record HlsPlaylistSegment(long Sequence, TimeSpan Duration, Uri Uri);

/// <summary>
/// The parts of an HLS media playlist (RFC 8216) a player needs: target duration, media
/// sequence, segments, end. Pure: parses text, no I/O.
/// </summary>
internal sealed record HlsPlaylist(TimeSpan TargetDuration, long MediaSequence, IReadOnlyList<HlsPlaylistSegment> Segments, bool Ended)
{
    //  #EXTM3U
    //  #EXT-X-TARGETDURATION:<s>
    //  #EXT-X-MEDIA-SEQUENCE:<n>
    //  #EXTINF:<duration>,[title]
    //  <uri>                          relative to the playlist's URI
    //  #EXT-X-ENDLIST
    /// <summary>Parses a media playlist; null when the text is not one.</summary>
    public static HlsPlaylist? Parse(string text, Uri playlistUri)
    {
        var lines = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] != "#EXTM3U")
        {
            return null;
        }

        var target = TimeSpan.Zero;
        long mediaSequence = 0;
        var ended = false;
        TimeSpan? duration = null;
        var uris = new List<(TimeSpan Duration, Uri Uri)>();
        foreach (var line in lines)
        {
            if (line.StartsWith("#EXT-X-TARGETDURATION:", StringComparison.Ordinal))
            {
                target = TimeSpan.FromSeconds(Number(line));
            }
            else if (line.StartsWith("#EXT-X-MEDIA-SEQUENCE:", StringComparison.Ordinal))
            {
                mediaSequence = (long)Number(line);
            }
            else if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                var value = line["#EXTINF:".Length..];
                var comma = value.IndexOf(',', StringComparison.Ordinal);
                duration = TimeSpan.FromSeconds(double.Parse(comma < 0 ? value : value[..comma], CultureInfo.InvariantCulture));
            }
            else if (line == "#EXT-X-ENDLIST")
            {
                ended = true;
            }
            else if (!line.StartsWith('#'))
            {
                uris.Add((duration ?? target, new Uri(playlistUri, line)));
                duration = null;
            }
        }

        var segments = new HlsPlaylistSegment[uris.Count];
        for (var i = 0; i < segments.Length; i++)
        {
            segments[i] = new HlsPlaylistSegment(mediaSequence + i, uris[i].Duration, uris[i].Uri);
        }

        return new HlsPlaylist(target, mediaSequence, segments, ended);
    }

    private static double Number(string line) =>
        double.Parse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1), CultureInfo.InvariantCulture);
}
