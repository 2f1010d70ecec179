using System.Net;
using LiveRelay.LoadTest.Cli;
using LiveRelay.Protocols.WebRtc.Dtls;

namespace LiveRelay.LoadTest.Players;

/// <summary>Creates the player for a protocol, and the one HTTP client every HTTP player (HTTP-FLV, HLS, WHEP's offer) shares.</summary>
internal static class PlayerFactory
{
    /// <summary>
    /// Creates a player, or returns null with the reason when this tool cannot play the protocol.
    /// </summary>
    /// <param name="protocol">What the player plays.</param>
    /// <param name="id">The player's index in its scenario.</param>
    /// <param name="uri">Where it plays (the server adapter's <c>PlayUri</c>).</param>
    /// <param name="http">The shared client of HTTP-FLV, HLS and WHEP players.</param>
    /// <param name="srtLoop">The run's one SRT receive thread, created by the first SRT player.</param>
    /// <param name="dtlsCertificate">The run's one DTLS certificate of WHEP players, made by the first one.</param>
    /// <param name="unavailable">Why there is no player, when null is returned.</param>
    public static Player? Create(PlayerProtocol protocol, int id, Uri uri, HttpClient http, Lazy<SrtReceiveLoop> srtLoop, Lazy<DtlsCertificate> dtlsCertificate, out string? unavailable)
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
            case PlayerProtocol.Srt:
                return new SrtPlayer(id, uri, srtLoop);
            case PlayerProtocol.Whep:
                return new WhepPlayer(id, uri, http, dtlsCertificate);
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
