using System.Buffers;
using LiveRelay.Protocols.Rtmp.Chunks;
using static LiveRelay.Protocols.Rtmp.Tests.Chunks.ChunkBytes;

namespace LiveRelay.Protocols.Rtmp.Tests.Chunks;

public sealed class RtmpChunkReaderTests
{
    //  fmt 0, csid 3 | ts 000010 | len 000004 | type 14 | stream 01000000 (LE) | payload
    private const string Type0Command = "03 000010 000004 14 01000000 DEADBEEF";

    [Fact]
    public void TryReadMessage_Type0Header_ParsesEveryField()
    {
        using var reader = new RtmpChunkReader();
        var (message, payload) = Assert.Single(ReadAll(reader, Hex(Type0Command)));

        Assert.Equal(3, message.ChunkStreamId);
        Assert.Equal(0x10u, message.Timestamp);
        Assert.Equal(RtmpMessageType.CommandAmf0, message.TypeId);
        Assert.Equal(1u, message.StreamId);
        Assert.Equal(Hex("DEADBEEF"), payload);
    }

    [Fact]
    public void TryReadMessage_Type1Type2Type3_ApplyTimestampDeltas()
    {
        var bytes = Hex(
            "06 000064 000002 09 01000000 AAAA" +   // fmt 0: ts 100, len 2, video
            "46 000021 000003 09 BBBBBB" +          // fmt 1: +33, len 3
            "86 000021 CCCCCC" +                    // fmt 2: +33, same length/type
            "C6 DDDDDD");                           // fmt 3, new message: +33 again
        using var reader = new RtmpChunkReader();

        var messages = ReadAll(reader, bytes);

        Assert.Equal([100u, 133u, 166u, 199u], messages.Select(m => m.Message.Timestamp));
        Assert.Equal([2, 3, 3, 3], messages.Select(m => m.Payload.Length));
        Assert.All(messages, m => Assert.Equal(1u, m.Message.StreamId));
        Assert.Equal(Hex("DDDDDD"), messages[3].Payload);
    }

    [Fact]
    public void TryReadMessage_MessageLongerThanChunk_IsReassembledFromType3Continuations()
    {
        var payload = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        // Default chunk size 128: 128 + 128 + 44 bytes, continuations carry a type 3 basic header.
        var bytes = Hex("04 000000 00012C 08 01000000")
            .Concat(payload[..128]).Append((byte)0xC4)
            .Concat(payload[128..256]).Append((byte)0xC4)
            .Concat(payload[256..]).ToArray();
        using var reader = new RtmpChunkReader();

        var (message, read) = Assert.Single(ReadAll(reader, bytes));

        Assert.Equal(RtmpMessageType.Audio, message.TypeId);
        Assert.Equal(payload, read);
    }

    [Fact]
    public void TryReadMessage_InterleavedChunkStreams_KeepSeparateMessages()
    {
        var video = Enumerable.Repeat((byte)0x11, 200).ToArray();
        var audio = Enumerable.Repeat((byte)0x22, 10).ToArray();
        var bytes = Hex("06 000000 0000C8 09 01000000").Concat(video[..128])
            .Concat(Hex("04 000000 00000A 08 01000000")).Concat(audio)
            .Append((byte)0xC6).Concat(video[128..]).ToArray();
        using var reader = new RtmpChunkReader();

        var messages = ReadAll(reader, bytes);

        Assert.Equal([RtmpMessageType.Audio, RtmpMessageType.Video], messages.Select(m => m.Message.TypeId));
        Assert.Equal(audio, messages[0].Payload);
        Assert.Equal(video, messages[1].Payload);
    }

    [Fact]
    public void TryReadMessage_ExtendedTimestamp_ReadInType0AndRepeatedInType3()
    {
        var payload = Enumerable.Repeat((byte)7, 130).ToArray();
        var bytes = Hex("06 FFFFFF 000082 09 01000000 01020304").Concat(payload[..128])
            .Concat(Hex("C6 01020304")).Concat(payload[128..]).ToArray();
        using var reader = new RtmpChunkReader();

        var (message, read) = Assert.Single(ReadAll(reader, bytes));

        Assert.Equal(0x01020304u, message.Timestamp);
        Assert.Equal(payload, read);
    }

    [Fact]
    public void TryReadMessage_ExtendedTimestampMissingFromContinuation_IsToleratedAsPayload()
    {
        // Some encoders leave the 4 bytes out of type 3 continuations.
        var payload = Enumerable.Range(0, 130).Select(i => (byte)(i + 1)).ToArray();
        var bytes = Hex("06 FFFFFF 000082 09 01000000 01020304").Concat(payload[..128])
            .Append((byte)0xC6).Concat(payload[128..]).Concat(new byte[] { 0, 0, 0, 0 }).ToArray();
        using var reader = new RtmpChunkReader();
        var input = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));

        Assert.True(reader.TryReadMessage(ref input, out var message));
        Assert.Equal(payload, message.Span.ToArray());
        message.Payload.Release();
    }

    [Fact]
    public void TryReadMessage_SetChunkSizeMidStream_AppliesToTheNextChunk()
    {
        var big = Enumerable.Range(0, 500).Select(i => (byte)i).ToArray();
        var bytes = Hex("02 000000 000004 01 00000000 00000200") // Set Chunk Size 512
            .Concat(Hex("06 000000 0001F4 09 01000000")).Concat(big).ToArray(); // 500 bytes in one chunk
        using var reader = new RtmpChunkReader();

        var messages = ReadAll(reader, bytes);

        Assert.Equal(512, reader.ChunkSize);
        Assert.Equal(2, messages.Count);
        Assert.Equal(big, messages[1].Payload);
        Assert.Equal(bytes.Length, reader.BytesRead);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    public void TryReadMessage_BytesArriveInSmallReads_SameMessages(int step)
    {
        var payload = Enumerable.Range(0, 300).Select(i => (byte)(i * 3)).ToArray();
        var bytes = Hex(Type0Command)
            .Concat(Hex("06 FFFFFF 00012C 09 01000000 7FFFFFFF")).Concat(payload[..128])
            .Concat(Hex("C6 7FFFFFFF")).Concat(payload[128..256])
            .Concat(Hex("C6 7FFFFFFF")).Concat(payload[256..]).ToArray();

        using var reader = new RtmpChunkReader();
        var messages = ReadInSteps(reader, bytes, step);

        Assert.Equal(2, messages.Count);
        Assert.Equal(Hex("DEADBEEF"), messages[0].Payload);
        Assert.Equal(payload, messages[1].Payload);
        Assert.Equal(0x7FFFFFFFu, messages[1].Message.Timestamp);
    }

    [Fact]
    public void TryReadMessage_MultiSegmentSequence_SameMessages()
    {
        var payload = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
        var bytes = Hex("06 000000 0000C8 09 01000000").Concat(payload[..128]).Append((byte)0xC6).Concat(payload[128..]).ToArray();
        using var reader = new RtmpChunkReader();

        var (_, read) = Assert.Single(ReadAll(reader, bytes, segment: 5));
        Assert.Equal(payload, read);
    }

    [Theory]
    [InlineData("40 0000C8", 64)]        // csid 0 form: 64 + 0
    [InlineData("00FF 000000 000001 08 00000000 AA", 319)]
    [InlineData("01FFFF 000000 000001 08 00000000 AA", 65599)]
    public void TryReadMessage_TwoAndThreeByteBasicHeaders_DecodeChunkStreamId(string hex, int expected)
    {
        if (expected == 64)
        {
            hex = "00 00 000000 000001 08 00000000 AA";
        }

        using var reader = new RtmpChunkReader();
        var (message, _) = Assert.Single(ReadAll(reader, Hex(hex)));
        Assert.Equal(expected, message.ChunkStreamId);
    }

    [Fact]
    public void TryReadMessage_IncompleteHeader_ConsumesNothing()
    {
        var bytes = Hex("06 FFFFFF 000082 09 01000000 01020304");
        for (var length = 0; length < bytes.Length; length++)
        {
            using var reader = new RtmpChunkReader();
            var input = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes[..length]));
            Assert.False(reader.TryReadMessage(ref input, out _));
            Assert.Equal(0, input.Consumed);
        }
    }

    [Theory]
    [InlineData("00000000", RtmpRejectReason.ChunkSizeInvalid)]   // 0
    [InlineData("01000000", RtmpRejectReason.ChunkSizeInvalid)]   // 16 MiB, one above the limit
    [InlineData("7FFFFFFF", RtmpRejectReason.ChunkSizeInvalid)]
    [InlineData("FFFFFFFF", RtmpRejectReason.ChunkSizeInvalid)]
    public void TryReadMessage_InvalidChunkSize_Rejects(string size, RtmpRejectReason reason)
    {
        using var reader = new RtmpChunkReader();
        var ex = Assert.Throws<RtmpProtocolException>(() => ReadAll(reader, Hex("02 000000 000004 01 00000000 " + size)));
        Assert.Equal(reason, ex.Reason);
    }

    [Fact]
    public void TryReadMessage_ContinuationOfUnknownChunkStream_Rejects()
    {
        using var reader = new RtmpChunkReader();
        var ex = Assert.Throws<RtmpProtocolException>(() => ReadAll(reader, Hex("47 000000 000004 14 AABBCCDD")));
        Assert.Equal(RtmpRejectReason.UnknownChunkStream, ex.Reason);
    }

    [Fact]
    public void TryReadMessage_MessageOverLimit_RejectsBeforeAllocating()
    {
        using var reader = new RtmpChunkReader(new RtmpChunkReaderOptions(MaxMessageSize: 1024));
        var ex = Assert.Throws<RtmpProtocolException>(() => ReadAll(reader, Hex("06 000000 FFFFFF 09 01000000")));
        Assert.Equal(RtmpRejectReason.MessageTooLarge, ex.Reason);
    }

    [Fact]
    public void TryReadMessage_FloodOfChunkStreamIds_Rejects()
    {
        using var reader = new RtmpChunkReader(new RtmpChunkReaderOptions(MaxChunkStreams: 8));
        var bytes = Enumerable.Range(0, 9).SelectMany(i => Hex($"{(byte)(0x03 + i):X2} 000000 000000 09 01000000")).ToArray();
        var ex = Assert.Throws<RtmpProtocolException>(() => ReadAll(reader, bytes));
        Assert.Equal(RtmpRejectReason.TooManyChunkStreams, ex.Reason);
    }

    [Fact]
    public void TryReadMessage_AbortMessage_DiscardsPartialMessage()
    {
        var bytes = Hex("06 000000 0000C8 09 01000000").Concat(new byte[128])
            .Concat(Hex("02 000000 000004 02 00000000 00000006"))      // Abort csid 6
            .Concat(Hex("06 000000 000002 09 01000000 ABCD")).ToArray(); // a fresh message on csid 6
        using var reader = new RtmpChunkReader();

        var messages = ReadAll(reader, bytes);

        Assert.Equal([RtmpMessageType.Abort, RtmpMessageType.Video], messages.Select(m => m.Message.TypeId));
        Assert.Equal(Hex("ABCD"), messages[1].Payload);
    }

    [Fact]
    public void TryReadMessage_LargeDeclaredLengthFewBytesSent_BufferGrowsOnlyWithData()
    {
        // A declared 8 MiB message with 100 bytes sent must not reserve 8 MiB.
        using var reader = new RtmpChunkReader();
        var bytes = Hex("02 000000 000004 01 00000000 00FFFFFF").Concat(Hex("06 000000 7FFFFF 09 01000000")).Concat(new byte[100]).ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();

        ReadAll(reader, bytes);

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024, "the reader allocated for the declared length");
    }
}
