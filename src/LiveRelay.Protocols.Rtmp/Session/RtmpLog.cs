using LiveRelay.Protocols.Rtmp.Chunks;
using LiveRelay.Protocols.Rtmp.Handshake;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Protocols.Rtmp.Session;

/// <summary>RTMP log events (ids 1000–1099).</summary>
internal static partial class RtmpLog
{
    [LoggerMessage(1000, LogLevel.Debug, "RTMP handshake completed ({Kind})")]
    public static partial void HandshakeCompleted(ILogger logger, HandshakeKind kind);

    [LoggerMessage(1001, LogLevel.Warning, "RTMP connection refused: {Reason}: {Detail}")]
    public static partial void ProtocolError(ILogger logger, RtmpRejectReason reason, string detail);

    [LoggerMessage(1002, LogLevel.Information, "RTMP connect app={App} tcUrl={TcUrl} flashVer={FlashVer}")]
    public static partial void Connected(ILogger logger, string app, string? tcUrl, string? flashVer);

    [LoggerMessage(1003, LogLevel.Information, "Publishing {StreamPath} ({Status})")]
    public static partial void PublishStarted(ILogger logger, string streamPath, Core.Streams.PublishStatus status);

    [LoggerMessage(1004, LogLevel.Warning, "Publish refused for {StreamPath}: {Detail}")]
    public static partial void PublishRefused(ILogger logger, string streamPath, string detail);

    [LoggerMessage(1005, LogLevel.Information, "Publish of {StreamPath} ended after {Frames} frames")]
    public static partial void PublishEnded(ILogger logger, string streamPath, long frames);

    [LoggerMessage(1006, LogLevel.Information, "Playing {StreamPath}")]
    public static partial void PlayStarted(ILogger logger, string streamPath);

    [LoggerMessage(1007, LogLevel.Warning, "Play refused for {StreamPath}: {Detail}")]
    public static partial void PlayRefused(ILogger logger, string streamPath, string detail);

    [LoggerMessage(1008, LogLevel.Information, "Play of {StreamPath} ended ({Reason}), {Delivered} frames delivered, {Dropped} dropped")]
    public static partial void PlayEnded(ILogger logger, string streamPath, Core.Streams.ReaderCloseReason reason, long delivered, long dropped);

    [LoggerMessage(1009, LogLevel.Warning, "{StreamPath}: {Detail}; those frames are not carried")]
    public static partial void MediaIgnored(ILogger logger, string streamPath, string detail);

    [LoggerMessage(1010, LogLevel.Debug, "RTMP connection closed: {Detail}")]
    public static partial void ConnectionClosed(ILogger logger, string detail);

    [LoggerMessage(1011, LogLevel.Debug, "RTMP command {Command} ignored")]
    public static partial void CommandIgnored(ILogger logger, string command);

    [LoggerMessage(1012, LogLevel.Warning, "RTMP command could not be decoded: {Detail}")]
    public static partial void MalformedCommand(ILogger logger, string detail);

    [LoggerMessage(1013, LogLevel.Error, "RTMP connection failed unexpectedly")]
    public static partial void UnexpectedError(ILogger logger, Exception exception);

    [LoggerMessage(1014, LogLevel.Information, "Publisher left {StreamPath}")]
    public static partial void PublisherLeft(ILogger logger, string streamPath);

    [LoggerMessage(1015, LogLevel.Warning, "Publisher of {StreamPath} closed by the server: {Reason}")]
    public static partial void PublisherEvicted(ILogger logger, string streamPath, string reason);
}
