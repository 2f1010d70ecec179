using LiveRelay.Core.Buffers;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Media;
using LiveRelay.Protocols.Rtmp.Chunks;

namespace LiveRelay.Protocols.Rtmp.Session;

/// <summary>
/// A frame as RTMP chunks on message stream 1 with the server's chunk size: serialized once,
/// written to every RTMP reader.
/// </summary>
internal sealed class RtmpFrameEncoder : IFrameEncoder
{
    public static EncodingSlot Slot { get; } = EncodingSlot.Allocate();

    public static MediaBuffer Encode(MediaFrame frame)
    {
        Span<byte> head = stackalloc byte[FlvMediaWriter.MaxBodyHeaderLength];
        var headLength = FlvMediaWriter.WriteBodyHeader(frame, head);
        var video = frame.Kind == MediaKind.Video;
        var timestamp = Timestamp(frame);
        var csid = video ? RtmpChunkWriter.VideoChunkStream : RtmpChunkWriter.AudioChunkStream;
        var length = RtmpChunkWriter.GetEncodedLength(csid, timestamp, headLength + frame.PayloadLength, RtmpSession.OutChunkSize);
        var buffer = MediaBuffer.Rent(length);
        var written = RtmpChunkWriter.WriteMessage(
            buffer.WritableSpan,
            csid,
            video ? RtmpMessageType.Video : RtmpMessageType.Audio,
            RtmpSession.MediaStreamId,
            timestamp,
            head[..headLength],
            frame.Payload.Span,
            RtmpSession.OutChunkSize);
        buffer.SetLength(written);
        return buffer;
    }

    /// <summary>RTMP timestamps are the DTS in milliseconds, modulo 2^32.</summary>
    public static uint Timestamp(MediaFrame frame) => (uint)Math.Max(0, MediaClock.ToMilliseconds(frame.Dts));
}
