namespace LiveRelay.LoadTest.Cli;

/// <summary>The delivery protocols a scenario can load.</summary>
internal enum PlayerProtocol
{
    /// <summary>RTMP play (<c>rtmp://host:port/live/stream</c>).</summary>
    Rtmp,

    /// <summary>HTTP-FLV (<c>GET /live/stream.flv</c>).</summary>
    Flv,

    /// <summary>HLS: playlist polling and segment downloads.</summary>
    Hls,

    /// <summary>SRT caller (<c>streamid=read:live/stream</c>) receiving MPEG-TS; nginx-rtmp has no SRT.</summary>
    Srt,

    /// <summary>WHEP (WebRTC playback): <c>POST /whep/live/stream</c> with an SDP offer, then ICE, DTLS and SRTP over UDP; nginx-rtmp has no WebRTC.</summary>
    Whep,
}

internal static class PlayerProtocolNames
{
    /// <summary>Every protocol in report order; <c>--protocol all</c> means these.</summary>
    public static IReadOnlyList<PlayerProtocol> All { get; } = [PlayerProtocol.Rtmp, PlayerProtocol.Flv, PlayerProtocol.Hls, PlayerProtocol.Srt, PlayerProtocol.Whep];

    public static string Name(this PlayerProtocol protocol) => protocol switch
    {
        PlayerProtocol.Rtmp => "rtmp",
        PlayerProtocol.Flv => "flv",
        PlayerProtocol.Hls => "hls",
        PlayerProtocol.Srt => "srt",
        PlayerProtocol.Whep => "whep",
        _ => protocol.ToString(),
    };

    public static bool TryParse(string text, out PlayerProtocol protocol)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Name(), text, StringComparison.OrdinalIgnoreCase))
            {
                protocol = candidate;
                return true;
            }
        }

        protocol = default;
        return false;
    }
}
