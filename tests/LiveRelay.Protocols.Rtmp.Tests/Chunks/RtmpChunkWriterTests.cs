using System.Buffers;
using LiveRelay.Protocols.Rtmp.Chunks;
using static LiveRelay.Protocols.Rtmp.Tests.Chunks.ChunkBytes;

namespace LiveRelay.Protocols.Rtmp.Tests.Chunks;

public sealed class RtmpChunkWriterTests
{
    [Fact]
    public void WriteMessage_SmallMessage_WritesOneType0Chunk()
    {
        var output = new ArrayBufferWriter<byte>();
        RtmpChunkWriter.WriteMessage(output, 3, RtmpMessageType.CommandAmf0, 1, 0x10, Hex("DEAD"), Hex("BEEF"), 128);

        Assert.Equal(Hex("03 000010 000004 14 01000000 DEADBEEF"), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void WriteMessage_ExtendedTimestamp_RepeatsItOnContinuations()
    {
        var output = new ArrayBufferWriter<byte>();
        var body = new byte[130];
        RtmpChunkWriter.WriteMessage(output, 6, RtmpMessageType.Video, 1, 0x01000000, default, body, 128);

        var expected = Hex("06 FFFFFF 000082 09 01000000 01000000").Concat(body[..128]).Concat(Hex("C6 01000000")).Concat(body[128..]).ToArray();
        Assert.Equal(expected, output.WrittenSpan.ToArray());
        Assert.Equal(expected.Length, RtmpChunkWriter.GetEncodedLength(6, 0x01000000, 130, 128));
    }

    [Theory]
    [InlineData(3, 0u, 0, 128)]
    [InlineData(6, 1000u, 4096, 4096)]
    [InlineData(6, 1000u, 4097, 4096)]
    [InlineData(70, 0xFFFFFFu, 10_000, 128)]
    [InlineData(400, 12345u, 100_000, 60000)]
    public void WriteMessage_ThenRead_RoundTrips(int csid, uint timestamp, int length, int chunkSize)
    {
        var payload = new byte[length];
        new Random(length).NextBytes(payload);
        var output = new ArrayBufferWriter<byte>();
        if (chunkSize != 128)
        {
            RtmpChunkWriter.WriteMessage(output, 2, RtmpMessageType.SetChunkSize, 0, 0, default, [(byte)(chunkSize >> 24), (byte)(chunkSize >> 16), (byte)(chunkSize >> 8), (byte)chunkSize], 128);
        }

        RtmpChunkWriter.WriteMessage(output, csid, RtmpMessageType.Video, 1, timestamp, payload.AsSpan(0, Math.Min(5, length)), payload.AsSpan(Math.Min(5, length)), chunkSize);
        Assert.Equal(
            output.WrittenCount - (chunkSize != 128 ? 16 : 0),
            RtmpChunkWriter.GetEncodedLength(csid, timestamp, length, chunkSize));

        using var reader = new RtmpChunkReader(new RtmpChunkReaderOptions(MaxMessageSize: 1 << 20));
        var message = ReadAll(reader, output.WrittenSpan.ToArray(), segment: 1000)[^1];

        Assert.Equal(csid, message.Message.ChunkStreamId);
        Assert.Equal(timestamp, message.Message.Timestamp);
        Assert.Equal(payload, message.Payload);
    }
}
