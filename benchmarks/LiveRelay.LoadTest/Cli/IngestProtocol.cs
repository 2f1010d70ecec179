namespace LiveRelay.LoadTest.Cli;

/// <summary>How the publishers send the clip to the server.</summary>
internal enum IngestProtocol
{
    /// <summary><c>ffmpeg -c copy -f flv rtmp://host:port/live/stream</c>.</summary>
    Rtmp,

    /// <summary><c>ffmpeg -c copy -f mpegts "srt://host:port?streamid=publish:live/stream&amp;latency=…"</c>.</summary>
    Srt,
}

internal static class IngestProtocolNames
{
    public static string Name(this IngestProtocol ingest) => ingest switch
    {
        IngestProtocol.Rtmp => "rtmp",
        IngestProtocol.Srt => "srt",
        _ => ingest.ToString(),
    };

    public static bool TryParse(string text, out IngestProtocol ingest)
    {
        foreach (var candidate in (IngestProtocol[])[IngestProtocol.Rtmp, IngestProtocol.Srt])
        {
            if (string.Equals(candidate.Name(), text, StringComparison.OrdinalIgnoreCase))
            {
                ingest = candidate;
                return true;
            }
        }

        ingest = default;
        return false;
    }
}
