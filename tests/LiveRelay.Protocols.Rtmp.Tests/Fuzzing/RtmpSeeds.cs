using System.Buffers;
using System.Security.Cryptography;
using LiveRelay.Formats.Amf;
using LiveRelay.Protocols.Rtmp.Chunks;
using LiveRelay.Protocols.Rtmp.Handshake;

namespace LiveRelay.Protocols.Rtmp.Tests.Fuzzing;

/// <summary>Valid byte vectors the RTMP fuzzers start from: what OBS and ffmpeg send after the handshake.</summary>
internal static class RtmpSeeds
{
    /// <summary>The first 30 bytes of the Flash Player key clients sign C1 with (RTMP handshake, digest form).</summary>
    public static readonly byte[] PlayerKey30 = "Genuine Adobe Flash Player 001"u8.ToArray();

    /// <summary>AMF 0 command payloads: connect, the publish sequence, play, and values of every supported type.</summary>
    public static readonly byte[][] Commands =
    [
        Command("connect", 1, Object(("app", "live"), ("type", "nonprivate"), ("flashVer", "FMLE/3.0"), ("tcUrl", "rtmp://h/live"), ("objectEncoding", 0.0))),
        Command("releaseStream", 2, null, "cam1"),
        Command("FCPublish", 3, null, "cam1"),
        Command("createStream", 4, (object?)null),
        Command("publish", 5, null, "cam1", "live"),
        Command("play", 6, null, "cam1", -2000.0),
        Command("deleteStream", 7, null, 1.0),
        Command("@setDataFrame", 0, "onMetaData", new AmfObject(isEcmaArray: true) { { "width", 1920.0 }, { "videocodecid", 7.0 }, { "stereo", true } }),
        Command("call", 8, new List<object?> { 1.0, "two", null, AmfUndefined.Value, new List<object?> { false } }, DateTimeOffset.UnixEpoch, new string('x', 70_000)),
        Command("nest", 9, Object(("a", Object(("b", Object(("c", new List<object?> { Object(("d", 1.0)) }))))))),
    ];

    /// <summary>Chunk streams: every header type, 1- 2- and 3-byte basic headers, extended timestamps, Set Chunk Size, Abort.</summary>
    public static readonly byte[][] ChunkStreams =
    [
        Hex("03 000010 000004 14 01000000 DEADBEEF"),
        Hex("06 000064 000002 09 01000000 AAAA 46 000021 000003 09 BBBBBB 86 000021 CCCCCC C6 DDDDDD"),
        Hex("06 FFFFFF 000082 09 01000000 01020304").Concat(new byte[128]).Concat(Hex("C6 01020304 0102")).ToArray(),
        Hex("02 000000 000004 01 00000000 00000200 06 000000 000005 09 01000000 1122334455"),
        Hex("04 000000 000100 08 01000000").Concat(new byte[128]).Concat(Hex("02 000000 000004 02 00000000 00000004")).ToArray(),
        Hex("00 05 000000 000001 08 01000000 AF 01 FF 01 000000 000001 09 01000000 17 41 FF 01 000021 000001 09 27"),
        Hex("02 000000 000004 05 00000000 002625A0 02 000000 000006 04 00000000 0003 00000001 00000BB8"),
        Messages(128, [(3, RtmpMessageType.CommandAmf0, 0u, 0u, Commands[0]), (3, RtmpMessageType.CommandAmf0, 0u, 0u, Commands[3])]),
        Messages(4096, [(2, RtmpMessageType.SetChunkSize, 0u, 0u, Hex("00001000")), (5, RtmpMessageType.DataAmf0, 1u, 0u, Commands[7]), (6, RtmpMessageType.Video, 1u, 0x1000000u, new byte[5000])]),
        Messages(128, [(3, RtmpMessageType.CommandAmf3, 0u, 0u, [0, .. Commands[4]]), (320, RtmpMessageType.Audio, 1u, 40u, new byte[300])]),
    ];

    /// <summary>C0+C1: a simple client (version bytes zero), digest clients of schema 0 and 1, and an RTMPE C0.</summary>
    public static readonly byte[][] C0C1 = [SimpleC0C1(), DigestC0C1(schema: 0), DigestC0C1(schema: 1), [6, .. SimpleC0C1()[1..]]];

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    /// <summary>Chunks each message at <paramref name="chunkSize"/> (the reader must be told the same size by a Set Chunk Size first).</summary>
    public static byte[] Messages(int chunkSize, (int Csid, byte Type, uint StreamId, uint Timestamp, byte[] Payload)[] messages)
    {
        var output = new ArrayBufferWriter<byte>();
        var size = RtmpChunkReader.DefaultChunkSize;
        foreach (var (csid, type, streamId, timestamp, payload) in messages)
        {
            RtmpChunkWriter.WriteMessage(output, csid, type, streamId, timestamp, payload, default, size);
            size = type == RtmpMessageType.SetChunkSize ? chunkSize : size;
        }

        return output.WrittenSpan.ToArray();
    }

    private static byte[] Command(string name, double transaction, params object?[] values)
    {
        var output = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteString(output, name);
        Amf0Writer.WriteNumber(output, transaction);
        foreach (var value in values)
        {
            Amf0Writer.WriteValue(output, value);
        }

        return output.WrittenSpan.ToArray();
    }

    private static AmfObject Object(params (string Name, object? Value)[] properties)
    {
        var result = new AmfObject();
        foreach (var (name, value) in properties)
        {
            result.Add(name, value);
        }

        return result;
    }

    private static byte[] SimpleC0C1()
    {
        var c0c1 = new byte[RtmpHandshake.C0C1Length];
        c0c1[0] = RtmpHandshake.Version;
        new Random(1).NextBytes(c0c1.AsSpan(9));
        return c0c1;
    }

    private static byte[] DigestC0C1(int schema)
    {
        var c1 = new byte[1536];
        new Random(schema + 7).NextBytes(c1);
        c1[4] = 0x80;
        var offset = RtmpHandshake.DigestOffset(c1, schema);
        RtmpHandshake.ComputeDigest(c1, offset, PlayerKey30, c1.AsSpan(offset, 32));
        return [RtmpHandshake.Version, .. c1];
    }

    /// <summary>The digest a valid C1 carries at a schema's offset, computed here independently of the handshake's search.</summary>
    public static bool HasValidDigest(ReadOnlySpan<byte> c1, int schema)
    {
        var offset = RtmpHandshake.DigestOffset(c1, schema);
        var joined = new byte[1536 - 32];
        c1[..offset].CopyTo(joined);
        c1[(offset + 32)..].CopyTo(joined.AsSpan(offset));
        return HMACSHA256.HashData(PlayerKey30, joined).AsSpan().SequenceEqual(c1.Slice(offset, 32));
    }
}
