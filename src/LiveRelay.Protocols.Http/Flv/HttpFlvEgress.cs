using System.Buffers;
using System.IO.Pipelines;
using LiveRelay.Core.Access;
using LiveRelay.Core.Diagnostics;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;
using LiveRelay.Formats.Amf;
using LiveRelay.Formats.Flv;
using LiveRelay.Formats.Media;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Protocols.Http.Flv;

/// <summary>
/// HTTP-FLV egress: <c>GET /{app}/{stream}.flv</c> streams live FLV, starting with the GOP cache's
/// keyframe. Frames are written from the shared per-frame serialization, batched per flush.
/// </summary>
public static partial class HttpFlvEgress
{
    private const int MaxBatchBytes = 64 * 1024;

    private const string Protocol = "flv";

    public static async Task ServeAsync(HttpContext context, LiveStream stream, LiveRelayMetrics metrics, ILogger logger, PlaybackGrant? grant = null)
    {
        var response = context.Response;
        response.ContentType = "video/x-flv";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers.AccessControlAllowOrigin = "*";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        var remote = MediaEndpoints.Remote(context);
        using var reader = stream.Subscribe("flv", remote);
        using var registration = context.RequestAborted.Register(static r => ((MediaReader)r!).Dispose(), reader);
        var output = response.BodyWriter;
        Log.PlayStarted(logger, stream.Path, remote);
        metrics.ConnectionOpened(Protocol, "playing");

        try
        {
            await WriteAsync(stream, reader, output, bytes =>
            {
                metrics.BytesSent(Protocol, bytes);
                grant?.AddBytes(bytes);
            }, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or Microsoft.AspNetCore.Connections.ConnectionAbortedException or Microsoft.AspNetCore.Connections.ConnectionResetException)
        {
            // The player went away.
        }

        metrics.ConnectionClosed(Protocol, "playing");
        Log.PlayEnded(logger, stream.Path, remote, reader.CloseReason, reader.DeliveredFrames, reader.DroppedFrames);
    }

    /// <summary>
    /// Writes the FLV header, then the reader's frames (sequence headers when codec parameters change),
    /// until the reader ends or the output completes; <paramref name="sent"/> hears the bytes of each flush.
    /// </summary>
    public static async Task WriteAsync(LiveStream stream, MediaReader reader, PipeWriter output, Action<long> sent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(sent);
        WriteHeader(output, stream);
        TrackInfo? sentVideo = null, sentAudio = null;
        sent(output.UnflushedBytes);
        var flush = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        while (!flush.IsCompleted && await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var written = 0;
            while (written < MaxBatchBytes && reader.TryRead(out var frame))
            {
                try
                {
                    ref var sentTrack = ref frame.Kind == MediaKind.Video ? ref sentVideo : ref sentAudio;
                    if (!ReferenceEquals(sentTrack, frame.Track))
                    {
                        if (!frame.Track.HasSameConfig(sentTrack))
                        {
                            WriteSequenceHeader(output, frame);
                        }

                        sentTrack = frame.Track;
                    }

                    var bytes = frame.GetEncoded<FlvTagEncoder>().Span;
                    output.Write(bytes);
                    written += bytes.Length;
                }
                finally
                {
                    frame.Release();
                }
            }

            sent(output.UnflushedBytes);
            flush = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void WriteHeader(PipeWriter output, LiveStream stream)
    {
        var hasVideo = stream.VideoTrack is not null || stream.AudioTrack is null;
        var hasAudio = stream.AudioTrack is not null || stream.VideoTrack is null;
        var span = output.GetSpan(FlvHeader.LengthWithFirstTagSize);
        FlvHeader.Write(span, hasAudio, hasVideo);
        output.Advance(FlvHeader.LengthWithFirstTagSize);

        var body = new ArrayBufferWriter<byte>(512);
        FlvScriptData.WriteOnMetaData(body, FlvMediaWriter.BuildMetadata(stream.VideoTrack, stream.AudioTrack, stream.Metadata));
        WriteTag(output, FlvTagType.Script, 0, default, body.WrittenSpan);
    }

    private static void WriteSequenceHeader(PipeWriter output, MediaFrame frame)
    {
        var body = FlvMediaWriter.GetSequenceHeaderBody(frame.Track);
        if (!body.IsEmpty)
        {
            var type = frame.Kind == MediaKind.Video ? FlvTagType.Video : FlvTagType.Audio;
            WriteTag(output, type, FlvTagEncoder.Timestamp(frame), default, body.Span);
        }
    }

    private static void WriteTag(PipeWriter output, FlvTagType type, long timestampMs, ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        var dataSize = head.Length + body.Length;
        var span = output.GetSpan(FlvTag.HeaderLength + dataSize + FlvTag.PreviousTagSizeLength);
        FlvTag.WriteHeader(span, type, dataSize, timestampMs);
        head.CopyTo(span[FlvTag.HeaderLength..]);
        body.CopyTo(span[(FlvTag.HeaderLength + head.Length)..]);
        FlvTag.WritePreviousTagSize(span[(FlvTag.HeaderLength + dataSize)..], FlvTag.HeaderLength + dataSize);
        output.Advance(FlvTag.HeaderLength + dataSize + FlvTag.PreviousTagSizeLength);
    }

    private static partial class Log
    {
        [LoggerMessage(1200, LogLevel.Information, "HTTP-FLV play of {StreamPath} started for {RemoteEndPoint}")]
        public static partial void PlayStarted(ILogger logger, string streamPath, string remoteEndPoint);

        [LoggerMessage(1201, LogLevel.Information, "HTTP-FLV play of {StreamPath} for {RemoteEndPoint} ended ({Reason}), {Delivered} frames delivered, {Dropped} dropped")]
        public static partial void PlayEnded(ILogger logger, string streamPath, string remoteEndPoint, ReaderCloseReason reason, long delivered, long dropped);
    }
}
