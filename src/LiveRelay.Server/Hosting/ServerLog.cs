using Microsoft.Extensions.Logging;

namespace LiveRelay.Server.Hosting;

/// <summary>Server life-cycle log events (ids 1–99).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Information, "LiveRelay {Version} listening: HTTP {HttpUrls}, RTMP {RtmpEndpoint}, SRT {SrtEndpoint}; data in {DataDir}")]
    public static partial void Started(ILogger logger, string version, string httpUrls, string rtmpEndpoint, string srtEndpoint, string dataDir);

    [LoggerMessage(2, LogLevel.Information, "Configuration file {Path} {State}")]
    public static partial void ConfigFile(ILogger logger, string path, string state);

    [LoggerMessage(3, LogLevel.Information, "Shutting down: ending {Count} live streams")]
    public static partial void Stopping(ILogger logger, int count);
}
