using System.Buffers;
using System.Buffers.Binary;

namespace LiveRelay.Protocols.Rtmp.Chunks;

/// <summary>
/// Writes RTMP messages as chunks: a type 0 header on the first chunk and type 3 headers on the
/// continuations. Every message stands alone (no header compression against the previous one),
/// so the same bytes can be written to every reader of a stream.
/// </summary>
public static class RtmpChunkWriter
{
    /// <summary>Chunk stream for protocol control messages.</summary>
    public const int ControlChunkStream = 2;

    /// <summary>Chunk stream for commands.</summary>
    public const int CommandChunkStream = 3;

    /// <summary>Chunk stream for audio.</summary>
    public const int AudioChunkStream = 4;

    /// <summary>Chunk stream for data messages (metadata).</summary>
    public const int DataChunkStream = 5;

    /// <summary>Chunk stream for video.</summary>
    public const int VideoChunkStream = 6;

    /// <summary>Bytes the message takes on the wire.</summary>
    public static int GetEncodedLength(int chunkStreamId, uint timestamp, int payloadLength, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var basic = BasicHeaderLength(chunkStreamId);
        var ext = timestamp >= 0xFFFFFF ? 4 : 0;
        var chunks = Math.Max(1, (payloadLength + chunkSize - 1) / chunkSize);
        return basic + 11 + ext + ((chunks - 1) * (basic + ext)) + payloadLength;
    }

    /// <summary>Writes one message whose payload is <paramref name="head"/> followed by <paramref name="body"/>.</summary>
    public static void WriteMessage(
        IBufferWriter<byte> output,
        int chunkStreamId,
        byte typeId,
        uint streamId,
        uint timestamp,
        ReadOnlySpan<byte> head,
        ReadOnlySpan<byte> body,
        int chunkSize)
    {
        var span = output.GetSpan(GetEncodedLength(chunkStreamId, timestamp, head.Length + body.Length, chunkSize));
        output.Advance(WriteMessage(span, chunkStreamId, typeId, streamId, timestamp, head, body, chunkSize));
    }

    /// <summary>
    /// Writes one message into <paramref name="span"/>, which must hold
    /// <see cref="GetEncodedLength"/> bytes; returns the bytes written.
    /// </summary>
    public static int WriteMessage(
        Span<byte> span,
        int chunkStreamId,
        byte typeId,
        uint streamId,
        uint timestamp,
        ReadOnlySpan<byte> head,
        ReadOnlySpan<byte> body,
        int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkStreamId, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkStreamId, 65599);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var length = head.Length + body.Length;
        if (length > 0xFFFFFF)
        {
            throw new ArgumentOutOfRangeException(nameof(body), "An RTMP message is at most 16 MiB.");
        }

        var extended = timestamp >= 0xFFFFFF;

        var pos = WriteBasicHeader(span, 0, chunkStreamId);
        WriteUInt24(span[pos..], extended ? 0xFFFFFF : timestamp);
        WriteUInt24(span[(pos + 3)..], (uint)length);
        span[pos + 6] = typeId;
        BinaryPrimitives.WriteUInt32LittleEndian(span[(pos + 7)..], streamId);
        pos += 11;
        if (extended)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span[pos..], timestamp);
            pos += 4;
        }

        var written = 0;
        while (true)
        {
            var take = Math.Min(chunkSize, length - written);
            CopyPayload(head, body, written, span.Slice(pos, take));
            pos += take;
            written += take;
            if (written >= length)
            {
                break;
            }

            pos += WriteBasicHeader(span[pos..], 3, chunkStreamId);
            if (extended)
            {
                BinaryPrimitives.WriteUInt32BigEndian(span[pos..], timestamp);
                pos += 4;
            }
        }

        return pos;
    }

    private static void CopyPayload(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body, int offset, Span<byte> destination)
    {
        if (offset < head.Length)
        {
            var fromHead = Math.Min(head.Length - offset, destination.Length);
            head.Slice(offset, fromHead).CopyTo(destination);
            body[..(destination.Length - fromHead)].CopyTo(destination[fromHead..]);
        }
        else
        {
            body.Slice(offset - head.Length, destination.Length).CopyTo(destination);
        }
    }

    private static int BasicHeaderLength(int chunkStreamId) => chunkStreamId switch
    {
        < 64 => 1,
        < 320 => 2,
        _ => 3,
    };

    private static int WriteBasicHeader(Span<byte> span, int fmt, int chunkStreamId)
    {
        switch (chunkStreamId)
        {
            case < 64:
                span[0] = (byte)((fmt << 6) | chunkStreamId);
                return 1;
            case < 320:
                span[0] = (byte)(fmt << 6);
                span[1] = (byte)(chunkStreamId - 64);
                return 2;
            default:
                span[0] = (byte)((fmt << 6) | 1);
                span[1] = (byte)((chunkStreamId - 64) & 0xFF);
                span[2] = (byte)((chunkStreamId - 64) >> 8);
                return 3;
        }
    }

    private static void WriteUInt24(Span<byte> span, uint value)
    {
        span[0] = (byte)(value >> 16);
        span[1] = (byte)(value >> 8);
        span[2] = (byte)value;
    }
}
