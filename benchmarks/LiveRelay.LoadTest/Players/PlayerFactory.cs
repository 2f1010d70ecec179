using System.Net;
using LiveRelay.LoadTest.Cli;

namespace LiveRelay.LoadTest.Players;

/// <summary>Creates the player for a protocol, and the one HTTP client every HTTP player shares.</summary>
internal static class PlayerFactory
{
    /// <summary>
    /// Creates a player, or returns null with the reason when this tool cannot play the protocol.
    /// </summary>
    /// <remarks>
    /// Extension point for SRT: when the server serves SRT, add an <c>SrtPlayer : Player</c> (libsrt
    /// through P/Invoke, caller mode, streamid = the stream path) that scans MPEG-TS until the first
    /// IDR (TS packets with payload_unit_start on the video PID and a random-access indicator), then
    /// only counts bytes; return it here for <see cref="PlayerProtocol.Srt"/>, and have the server
    /// adapter in Servers/ return an <c>srt://</c> URI for the protocol.
    /// </remarks>
    public static Player? Create(PlayerProtocol protocol, int id, Uri uri, HttpClient http, out string? unavailable)
    {
        unavailable = null;
        switch (protocol)
        {
            case PlayerProtocol.Rtmp:
                return new RtmpPlayer(id, uri);
            case PlayerProtocol.Flv:
                return new FlvPlayer(id, uri, http);
            case PlayerProtocol.Hls:
                return new HlsPlayer(id, uri, http);
            default:
                unavailable = $"the load tool has no {protocol.Name()} player yet";
                return null;
        }
    }

    /// <summary>
    /// One pooled HTTP client for every HTTP-FLV and HLS player: loopback only, no proxy, no
    /// cookies, no decompression, unlimited connections per server.
    /// </summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = int.MaxValue,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    })
    {
        // Streams run for the whole window; every request carries its own cancellation.
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
