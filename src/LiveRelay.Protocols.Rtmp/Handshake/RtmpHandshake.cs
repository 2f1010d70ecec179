using System.Buffers.Binary;
using System.Security.Cryptography;

namespace LiveRelay.Protocols.Rtmp.Handshake;

/// <summary>How the client's C1 was answered.</summary>
public enum HandshakeKind
{
    /// <summary>C0 asked for a version we do not speak (RTMPE, garbage).</summary>
    Unsupported,

    /// <summary>The plain handshake of the RTMP 1.0 specification: S2 echoes C1.</summary>
    Simple,

    /// <summary>
    /// The digest ("complex") handshake Flash Player 9+ and some encoders send: C1 carries an
    /// HMAC-SHA256 digest keyed with the Flash Player key, and S1/S2 must carry ours.
    /// </summary>
    Digest,
}

/// <summary>
/// The server side of the RTMP handshake. Pure: it reads C0+C1 bytes and writes S0+S1+S2 bytes.
/// </summary>
/// <remarks>
/// <code>
///  C0/S0: 1 byte version (3)
///  C1/S1 (1536 bytes), simple form:          digest form, schema 0 / schema 1:
///  +---------+---------+-----------------+   +------+---------+-----------+-----------+
///  | time 4  | zero 4  | random 1528     |   |time 4|version 4| digest 764| key 764   |  (schema 0)
///  +---------+---------+-----------------+   |time 4|version 4| key 764   | digest 764|  (schema 1)
///                                             +------+---------+-----------+-----------+
///  digest block: offset 4 | ... | 32-byte digest at (sum of the 4 offset bytes % 728) | ...
///  C2/S2 (1536 bytes): random 1504 | digest 32 (digest form), or an echo of C1/S1 (simple form)
/// </code>
/// </remarks>
public static class RtmpHandshake
{
    /// <summary>Length of C0 plus C1.</summary>
    public const int C0C1Length = 1 + PacketLength;

    /// <summary>Length of C2.</summary>
    public const int C2Length = PacketLength;

    /// <summary>Length of S0 + S1 + S2.</summary>
    public const int S0S1S2Length = 1 + (2 * PacketLength);

    /// <summary>The only protocol version served: plain RTMP.</summary>
    public const byte Version = 3;

    private const int PacketLength = 1536;
    private const int DigestLength = 32;

    /// <summary>"Genuine Adobe Flash Player 001" followed by 32 constant bytes; clients sign C1 with the first 30.</summary>
    private static readonly byte[] s_playerKey =
    [
        .. "Genuine Adobe Flash Player 001"u8,
        0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
        0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE,
    ];

    /// <summary>"Genuine Adobe Flash Media Server 001" and the same 32 bytes; servers sign S1 with the first 36.</summary>
    private static readonly byte[] s_serverKey =
    [
        .. "Genuine Adobe Flash Media Server 001"u8,
        0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
        0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE,
    ];

    private static ReadOnlySpan<byte> ServerVersion => [0x0D, 0x0E, 0x0A, 0x0D];

    /// <summary>
    /// Answers C0+C1 with S0+S1+S2. Returns <see cref="HandshakeKind.Unsupported"/> and writes nothing
    /// when C0 is not version 3.
    /// </summary>
    public static HandshakeKind WriteResponse(ReadOnlySpan<byte> c0c1, Span<byte> s0s1s2, uint serverTimeMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(c0c1.Length, C0C1Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(s0s1s2.Length, S0S1S2Length);
        if (c0c1[0] != Version)
        {
            return HandshakeKind.Unsupported;
        }

        var c1 = c0c1.Slice(1, PacketLength);
        var s1 = s0s1s2.Slice(1, PacketLength);
        var s2 = s0s1s2.Slice(1 + PacketLength, PacketLength);
        s0s1s2[0] = Version;

        var clientDigestOffset = FindClientDigest(c1, out var schema);
        if (clientDigestOffset < 0)
        {
            // Simple: S1 = time, zero, random; S2 = C1 echoed.
            BinaryPrimitives.WriteUInt32BigEndian(s1, serverTimeMs);
            s1.Slice(4, 4).Clear();
            RandomNumberGenerator.Fill(s1[8..]);
            c1.CopyTo(s2);
            return HandshakeKind.Simple;
        }

        // Digest: S1 signed with the server key at the client's schema.
        BinaryPrimitives.WriteUInt32BigEndian(s1, serverTimeMs);
        ServerVersion.CopyTo(s1[4..]);
        RandomNumberGenerator.Fill(s1[8..]);
        var serverDigestOffset = DigestOffset(s1, schema);
        ComputeDigest(s1, serverDigestOffset, s_serverKey.AsSpan(0, 36), s1.Slice(serverDigestOffset, DigestLength));

        // S2: random, then HMAC(HMAC(full server key, client digest), random).
        RandomNumberGenerator.Fill(s2);
        Span<byte> tempKey = stackalloc byte[DigestLength];
        HMACSHA256.HashData(s_serverKey, c1.Slice(clientDigestOffset, DigestLength), tempKey);
        HMACSHA256.HashData(tempKey, s2[..(PacketLength - DigestLength)], s2[(PacketLength - DigestLength)..]);
        return HandshakeKind.Digest;
    }

    /// <summary>Position of a valid client digest in C1, or -1 when C1 is a simple handshake.</summary>
    internal static int FindClientDigest(ReadOnlySpan<byte> c1, out int schema)
    {
        // Simple clients (ffmpeg's publisher among them) send zero version bytes.
        if (BinaryPrimitives.ReadUInt32BigEndian(c1[4..]) != 0)
        {
            Span<byte> digest = stackalloc byte[DigestLength];
            foreach (var candidate in (ReadOnlySpan<int>)[1, 0])
            {
                var offset = DigestOffset(c1, candidate);
                ComputeDigest(c1, offset, s_playerKey.AsSpan(0, 30), digest);
                if (CryptographicOperations.FixedTimeEquals(digest, c1.Slice(offset, DigestLength)))
                {
                    schema = candidate;
                    return offset;
                }
            }
        }

        schema = -1;
        return -1;
    }

    /// <summary>Digest position for a schema: 4 offset bytes at the start of the digest block.</summary>
    internal static int DigestOffset(ReadOnlySpan<byte> packet, int schema)
    {
        var block = schema == 0 ? 8 : 772;
        var sum = packet[block] + packet[block + 1] + packet[block + 2] + packet[block + 3];
        return (sum % 728) + block + 4;
    }

    /// <summary>HMAC-SHA256 of the packet with the 32 digest bytes at <paramref name="gap"/> left out.</summary>
    internal static void ComputeDigest(ReadOnlySpan<byte> packet, int gap, ReadOnlySpan<byte> key, Span<byte> destination)
    {
        Span<byte> joined = stackalloc byte[PacketLength - DigestLength];
        packet[..gap].CopyTo(joined);
        packet[(gap + DigestLength)..].CopyTo(joined[gap..]);
        HMACSHA256.HashData(key, joined, destination);
    }
}
