using Microsoft.Extensions.Logging;

namespace LiveRelay.Server.Hosting;

/// <summary>Server life-cycle log events (ids 1–99).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Information, "LiveRelay {Version} listening: HTTP {HttpUrls}, RTMP {RtmpEndpoint}, SRT {SrtEndpoint}; data in {DataDir}")]
    public static partial void Started(ILogger logger, string version, string httpUrls, string rtmpEndpoint, string srtEndpoint, string dataDir);

    [LoggerMessage(2, LogLevel.Information, "Configuration file {Path} {State}")]
    public static partial void ConfigFile(ILogger logger, string path, string state);

    [LoggerMessage(3, LogLevel.Information, "Shutting down: ending {Count} live streams (HLS playlists get EXT-X-ENDLIST)")]
    public static partial void Stopping(ILogger logger, int count);

    [LoggerMessage(4, LogLevel.Warning, "Anonymous publishing is ON (LiveRelay:Auth:AllowAnonymousPublish): anyone who reaches this server can publish on any path that no feed claims, without a key")]
    public static partial void AnonymousPublish(ILogger logger);

    [LoggerMessage(5, LogLevel.Warning, "Anonymous play is ON (LiveRelay:Auth:AllowAnonymousPlay): anyone who reaches this server can play every stream without a token (paths that still need one: {TokenPaths})")]
    public static partial void AnonymousPlay(ILogger logger, string tokenPaths);

    [LoggerMessage(6, LogLevel.Information, "RTMPS listening on {Endpoint} (certificate {Subject}, valid until {NotAfter:u})")]
    public static partial void RtmpsListening(ILogger logger, string endpoint, string subject, DateTime notAfter);

    [LoggerMessage(7, LogLevel.Information, "Shutting down: {Closed} publishers closed; serving the final playlists for {Seconds} s")]
    public static partial void Draining(ILogger logger, int closed, double seconds);
}
