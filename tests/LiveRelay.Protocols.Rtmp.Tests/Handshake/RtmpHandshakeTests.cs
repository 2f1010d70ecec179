using System.Security.Cryptography;
using LiveRelay.Protocols.Rtmp.Handshake;

namespace LiveRelay.Protocols.Rtmp.Tests.Handshake;

public sealed class RtmpHandshakeTests
{
    private static readonly byte[] s_playerKey30 = "Genuine Adobe Flash Player 001"u8.ToArray();
    private static readonly byte[] s_serverKey36 = "Genuine Adobe Flash Media Server 001"u8.ToArray();
    private static readonly byte[] s_serverKeyFull =
    [
        .. s_serverKey36,
        0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
        0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE,
    ];

    [Fact]
    public void WriteResponse_SimpleC1_EchoesC1AsS2()
    {
        var c0c1 = new byte[RtmpHandshake.C0C1Length];
        c0c1[0] = 3;
        new Random(1).NextBytes(c0c1.AsSpan(9));
        var response = new byte[RtmpHandshake.S0S1S2Length];

        var kind = RtmpHandshake.WriteResponse(c0c1, response, serverTimeMs: 1234);

        Assert.Equal(HandshakeKind.Simple, kind);
        Assert.Equal(3, response[0]);
        Assert.Equal([0, 0, 0x04, 0xD2], response[1..5]);
        Assert.Equal([0, 0, 0, 0], response[5..9]);
        Assert.Equal(c0c1[1..], response[1537..]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void WriteResponse_DigestC1_SignsS1AndS2WithServerKey(int schema)
    {
        var c1 = new byte[1536];
        new Random(schema + 7).NextBytes(c1);
        c1[4] = 0x80; // a non-zero Flash Player version asks for the digest handshake
        var clientOffset = RtmpHandshake.DigestOffset(c1, schema);
        RtmpHandshake.ComputeDigest(c1, clientOffset, s_playerKey30, c1.AsSpan(clientOffset, 32));
        var response = new byte[RtmpHandshake.S0S1S2Length];

        var kind = RtmpHandshake.WriteResponse([3, .. c1], response, 0);

        Assert.Equal(HandshakeKind.Digest, kind);
        var s1 = response.AsSpan(1, 1536);
        var serverOffset = RtmpHandshake.DigestOffset(s1, schema);
        var expectedS1 = new byte[32];
        RtmpHandshake.ComputeDigest(s1, serverOffset, s_serverKey36, expectedS1);
        Assert.Equal(expectedS1, s1.Slice(serverOffset, 32).ToArray());

        var s2 = response.AsSpan(1537, 1536);
        var key = HMACSHA256.HashData(s_serverKeyFull, c1.AsSpan(clientOffset, 32));
        var expectedS2 = HMACSHA256.HashData(key, s2[..1504]);
        Assert.Equal(expectedS2, s2[1504..].ToArray());
    }

    [Fact]
    public void WriteResponse_VersionBytesButNoValidDigest_FallsBackToSimple()
    {
        var c1 = new byte[1536];
        new Random(3).NextBytes(c1);
        var response = new byte[RtmpHandshake.S0S1S2Length];

        Assert.Equal(HandshakeKind.Simple, RtmpHandshake.WriteResponse([3, .. c1], response, 0));
        Assert.Equal(c1, response[1537..]);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(0x16)]
    [InlineData(0)]
    public void WriteResponse_OtherVersion_IsUnsupportedAndWritesNothing(byte version)
    {
        var c0c1 = new byte[RtmpHandshake.C0C1Length];
        c0c1[0] = version;
        var response = new byte[RtmpHandshake.S0S1S2Length];

        Assert.Equal(HandshakeKind.Unsupported, RtmpHandshake.WriteResponse(c0c1, response, 0));
        Assert.All(response, b => Assert.Equal(0, b));
    }
}
