using LiveRelay.Protocols.Rtmp.Handshake;
using static LiveRelay.Protocols.Rtmp.Tests.Fuzzing.RtmpSeeds;

namespace LiveRelay.Protocols.Rtmp.Tests.Fuzzing;

/// <summary>
/// Inputs kept from fuzzing and the limits it probes, replayed through the same checks (allocation guard armed after
/// a warm-up run). The RTMP fuzzers have found no failure so far; these are the edge cases they must keep passing.
/// </summary>
public sealed class Corpus
{
    public static TheoryData<string, byte[]> ChunkStreams => new()
    {
        // 64 chunk streams each declaring an 8 MiB - 1 message and sending one byte, then a 65th: the most initial
        // message buffers one reader holds (64 × 16 KiB), then TooManyChunkStreams.
        { "every chunk stream opened", [.. Enumerable.Range(2, 65).SelectMany(OneByteOfAHugeMessage)] },
        { "chunk size 0", Hex("02 000000 000004 01 00000000 00000000") },
        { "chunk size 2^31 - 1", Hex("02 000000 000004 01 00000000 7FFFFFFF") },
        { "chunk size 1, then a 3-byte message", Hex("02 000000 000004 01 00000000 00000001 03 000000 000003 14 00000000 02 C3 00 C3 00") },
        { "type 3 header on a chunk stream never opened", Hex("C3 00") },
        { "message of MaxMessageSize + 1", Hex("03 000000 800001 14 00000000") },
        { "Abort of the message in progress, then a new one", [.. Hex("04 000000 0000C8 08 01000000"), .. new byte[128], .. Hex("02 000000 000004 02 00000000 00000004 04 000000 000001 08 01000000 AF")] },
        { "100 empty messages", [.. Hex("02 000000 000000 03 00000000"), .. Enumerable.Repeat((byte)0xC2, 99)] },
        { "extended timestamp 0xFFFFFFFF then a continuation without it", [.. Hex("06 FFFFFF 000081 09 01000000 FFFFFFFF"), .. new byte[128], .. Hex("C6 AB")] },
    };

    public static TheoryData<string, byte[]> Commands => new()
    {
        { "strict array of 4,000 empty objects (the densest allocation)", [0x02, 0x00, 0x01, 0x78, 0x0A, 0x00, 0x00, 0x0F, 0xA0, .. Enumerable.Repeat<byte[]>([0x03, 0x00, 0x00, 0x09], 4000).SelectMany(b => b)] },
        { "objects nested 33 deep", [0x02, 0x00, 0x01, 0x78, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, .. Enumerable.Repeat<byte[]>([0x03, 0x00, 0x01, 0x61], 33).SelectMany(b => b), 0x05] },
        { "strict array declaring 2^32 - 1 elements", Hex("02 0001 78 00 0000000000000000 0A FFFFFFFF 05") },
        { "long string declaring 2^32 - 1 bytes", Hex("0C FFFFFFFF 41") },
        { "date NaN", Hex("02 0001 78 00 0000000000000000 05 0B 7FF8000000000000 0000") },
        { "command name that is not a string", Hex("00 3FF0000000000000") },
        { "empty payload", [] },
    };

    public static TheoryData<string, byte[]> C0C1s => new()
    {
        { "digest C1 with one digest byte flipped", FlipDigestByte(C0C1[1]) },
        { "version bytes set, nothing signed", [3, 0, 0, 0, 0, 1, 2, 3, 4, .. new byte[1528]] },
        { "RTMPE C0", C0C1[3] },
    };

    [Theory]
    [MemberData(nameof(ChunkStreams))]
    public void TryReadMessage_CorpusChunkStream_PassesTheFuzzChecks(string name, byte[] input) =>
        Replay(name, input, RtmpChunkReaderFuzzTests.Check);

    [Theory]
    [MemberData(nameof(Commands))]
    public void DecodeCommand_CorpusPayload_PassesTheFuzzChecks(string name, byte[] input) =>
        Replay(name, input, AmfCommandFuzzTests.Check);

    [Theory]
    [MemberData(nameof(C0C1s))]
    public void WriteResponse_CorpusC0C1_PassesTheFuzzChecks(string name, byte[] input) =>
        Replay(name, input, RtmpHandshakeFuzzTests.Check);

    private static void Replay(string name, byte[] input, Action<byte[], Random> check)
    {
        Assert.NotEmpty(name);
        Fuzz.Replay(input, check);
    }

    private static byte[] OneByteOfAHugeMessage(int csid)
    {
        byte[] basic = csid < 64 ? [(byte)csid] : [0, (byte)(csid - 64)];
        return [.. basic, .. Hex("000000 7FFFFF 09 01000000 00")];
    }

    private static byte[] FlipDigestByte(byte[] c0c1)
    {
        var copy = (byte[])c0c1.Clone();
        copy[1 + RtmpHandshake.DigestOffset(copy.AsSpan(1), schema: 0)] ^= 0x01;
        return copy;
    }
}
