using System.Buffers;
using System.Buffers.Binary;
using LiveRelay.Protocols.Rtmp.Chunks;

namespace LiveRelay.Protocols.Rtmp.Messages;

/// <summary>User control event types (message type 4).</summary>
public static class UserControlEvent
{
    public const ushort StreamBegin = 0;
    public const ushort StreamEof = 1;
    public const ushort StreamDry = 2;
    public const ushort SetBufferLength = 3;
    public const ushort StreamIsRecorded = 4;
    public const ushort PingRequest = 6;
    public const ushort PingResponse = 7;
}

/// <summary>Writers for protocol control messages (chunk stream 2, message stream 0).</summary>
public static class RtmpControlMessages
{
    public static void WriteSetChunkSize(IBufferWriter<byte> output, int chunkSize) =>
        WriteUInt32Message(output, RtmpMessageType.SetChunkSize, (uint)chunkSize);

    public static void WriteWindowAcknowledgementSize(IBufferWriter<byte> output, uint size) =>
        WriteUInt32Message(output, RtmpMessageType.WindowAcknowledgementSize, size);

    public static void WriteAcknowledgement(IBufferWriter<byte> output, uint sequenceNumber) =>
        WriteUInt32Message(output, RtmpMessageType.Acknowledgement, sequenceNumber);

    /// <summary>Set Peer Bandwidth; limit type 2 is dynamic.</summary>
    public static void WriteSetPeerBandwidth(IBufferWriter<byte> output, uint size, byte limitType)
    {
        Span<byte> payload = stackalloc byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(payload, size);
        payload[4] = limitType;
        RtmpChunkWriter.WriteMessage(output, RtmpChunkWriter.ControlChunkStream, RtmpMessageType.SetPeerBandwidth, 0, 0, payload, default, RtmpChunkReader.DefaultChunkSize);
    }

    /// <summary>A user control event with a 4-byte argument (a stream id or a ping timestamp).</summary>
    public static void WriteUserControl(IBufferWriter<byte> output, ushort eventType, uint value, int chunkSize)
    {
        Span<byte> payload = stackalloc byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(payload, eventType);
        BinaryPrimitives.WriteUInt32BigEndian(payload[2..], value);
        RtmpChunkWriter.WriteMessage(output, RtmpChunkWriter.ControlChunkStream, RtmpMessageType.UserControl, 0, 0, payload, default, chunkSize);
    }

    private static void WriteUInt32Message(IBufferWriter<byte> output, byte type, uint value)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, value);

        // Control messages are at most 5 bytes: one chunk at any chunk size.
        RtmpChunkWriter.WriteMessage(output, RtmpChunkWriter.ControlChunkStream, type, 0, 0, payload, default, RtmpChunkReader.DefaultChunkSize);
    }
}
