using LiveRelay.Core.Buffers;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Flv;
using LiveRelay.Formats.Media;

namespace LiveRelay.Protocols.Http.Flv;

/// <summary>A frame as one FLV tag plus its PreviousTagSize: serialized once, written to every HTTP-FLV reader.</summary>
internal sealed class FlvTagEncoder : IFrameEncoder
{
    public static EncodingSlot Slot { get; } = EncodingSlot.Allocate();

    public static MediaBuffer Encode(MediaFrame frame)
    {
        Span<byte> head = stackalloc byte[FlvMediaWriter.MaxBodyHeaderLength];
        var headLength = FlvMediaWriter.WriteBodyHeader(frame, head);
        var dataSize = headLength + frame.PayloadLength;
        var total = FlvTag.HeaderLength + dataSize + FlvTag.PreviousTagSizeLength;
        var buffer = MediaBuffer.Rent(total);
        var span = buffer.WritableSpan;
        var type = frame.Kind == MediaKind.Video ? FlvTagType.Video : FlvTagType.Audio;
        FlvTag.WriteHeader(span, type, dataSize, Timestamp(frame));
        head[..headLength].CopyTo(span[FlvTag.HeaderLength..]);
        frame.Payload.Span.CopyTo(span[(FlvTag.HeaderLength + headLength)..]);
        FlvTag.WritePreviousTagSize(span[(FlvTag.HeaderLength + dataSize)..], FlvTag.HeaderLength + dataSize);
        buffer.SetLength(total);
        return buffer;
    }

    public static long Timestamp(MediaFrame frame) => Math.Max(0, MediaClock.ToMilliseconds(frame.Dts));
}
