using System.Buffers.Binary;

namespace LiveRelay.Protocols.Rtsp.Tests;

/// <summary>Hand-built RTP packets and payloads (RFC 3550, RFC 6184, RFC 7798, RFC 3640, RFC 6416).</summary>
internal static class Rtp
{
    //   0                   1                   2                   3
    //   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //  |V=2|P|X|  CC   |M|     PT      |       sequence number         |
    //  |                           timestamp                           |
    //  |                             SSRC                              |
    //  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    public static byte[] Packet(byte payloadType, ushort sequence, uint timestamp, bool marker, ReadOnlySpan<byte> payload)
    {
        var packet = new byte[12 + payload.Length];
        packet[0] = 0x80;
        packet[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0x1234_5678);
        payload.CopyTo(packet.AsSpan(12));
        return packet;
    }

    /// <summary>A NAL unit with its 4-byte big-endian length, the core's payload form.</summary>
    public static byte[] LengthPrefixed(byte[] nal) => [(byte)(nal.Length >> 24), (byte)(nal.Length >> 16), (byte)(nal.Length >> 8), (byte)nal.Length, .. nal];

    //  STAP-A: [F|NRI|24] then { size (16) | NAL unit } ...
    public static byte[] StapA(params byte[][] nals)
    {
        List<byte> payload = [0x78];
        foreach (var nal in nals)
        {
            payload.Add((byte)(nal.Length >> 8));
            payload.Add((byte)nal.Length);
            payload.AddRange(nal);
        }

        return [.. payload];
    }

    //  FU-A: [F|NRI|28] [S|E|R|type] fragment ...
    public static List<byte[]> FuA(byte[] nal, int size)
    {
        List<byte[]> fragments = [];
        for (var offset = 1; offset < nal.Length; offset += size)
        {
            var first = offset == 1;
            var last = offset + size >= nal.Length;
            fragments.Add(
            [
                (byte)((nal[0] & 0xE0) | 28),
                (byte)((first ? 0x80 : 0) | (last ? 0x40 : 0) | (nal[0] & 0x1F)),
                .. nal.AsSpan(offset, Math.Min(size, nal.Length - offset)),
            ]);
        }

        return fragments;
    }

    //  H.265 FU: [payload header, type 49] [S|E|FuType] fragment ...
    public static List<byte[]> H265Fu(byte[] nal, int size)
    {
        List<byte[]> fragments = [];
        var type = (nal[0] >> 1) & 0x3F;
        for (var offset = 2; offset < nal.Length; offset += size)
        {
            var first = offset == 2;
            var last = offset + size >= nal.Length;
            fragments.Add(
            [
                (byte)((nal[0] & 0x81) | (49 << 1)), nal[1],
                (byte)((first ? 0x80 : 0) | (last ? 0x40 : 0) | type),
                .. nal.AsSpan(offset, Math.Min(size, nal.Length - offset)),
            ]);
        }

        return fragments;
    }

    //  H.265 AP: [payload header, type 48] then { size (16) | NAL unit } ...
    public static byte[] H265Ap(params byte[][] nals)
    {
        List<byte> payload = [48 << 1, 0x01];
        foreach (var nal in nals)
        {
            payload.Add((byte)(nal.Length >> 8));
            payload.Add((byte)nal.Length);
            payload.AddRange(nal);
        }

        return [.. payload];
    }

    //  MPEG4-GENERIC (AAC-hbr): AU-headers-length (16, bits) | { AU-size (13) | AU-index(-delta) (3) } ... | AU ...
    public static byte[] AacHbr(params byte[][] units)
    {
        List<byte> payload = [(byte)((units.Length * 16) >> 8), (byte)(units.Length * 16)];
        foreach (var unit in units)
        {
            payload.Add((byte)(unit.Length >> 5));
            payload.Add((byte)(unit.Length << 3));
        }

        foreach (var unit in units)
        {
            payload.AddRange(unit);
        }

        return [.. payload];
    }

    /// <summary>A NAL unit of <paramref name="length"/> bytes after <paramref name="header"/>, with a recognizable body.</summary>
    public static byte[] Nal(byte[] header, int length, int seed) =>
        [.. header, .. Enumerable.Range(0, length).Select(i => (byte)((i * 7) + seed))];
}
