using LiveRelay.Core.Access;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Streams;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Protocols.Rtmp.Session;

/// <summary>
/// Kestrel connection handler for RTMP: one <see cref="RtmpSession"/> per TCP connection,
/// reading and writing through the connection's pipes.
/// </summary>
public sealed class RtmpConnectionHandler(
    StreamHub hub,
    RtmpOptions options,
    TimeProvider time,
    LiveRelayMetrics metrics,
    IPlaybackAuthorizer playback,
    IPublishAuthorizer publish,
    ILogger<RtmpConnectionHandler> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = connection.RemoteEndPoint?.ToString();
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["Protocol"] = "rtmp",
            ["RemoteEndPoint"] = remote ?? "",
            ["ConnectionId"] = connection.ConnectionId,
        });
        await using var session = new RtmpSession(connection, hub, options, time, metrics, logger, playback, publish);
        await session.RunAsync().ConfigureAwait(false);
    }
}
