using System.Buffers.Binary;
using LiveRelay.Protocols.WebRtc.Srtp;

namespace LiveRelay.Protocols.WebRtc.Tests.Srtp;

/// <summary>Keys and packets the SRTP tests share.</summary>
internal static class SrtpTestPackets
{
    /// <summary>RFC 3711 Appendix B.3's master key and salt, which libsrtp's srtp_validate() also uses.</summary>
    public static readonly byte[] Rfc3711MasterKey = Hex("E1F97A0D3E018BE0D64FA32C06DE4139");
    public static readonly byte[] Rfc3711MasterSalt = Hex("0EC675AD498AFEEBB6960B3AABE6");

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    public static SrtpContext Context(SrtpProfile profile) => profile == SrtpProfile.AeadAes128Gcm
        ? new SrtpContext(profile, Hex("000102030405060708090a0b0c0d0e0f"), Hex("a0a1a2a3a4a5a6a7a8a9aaab"))
        : new SrtpContext(profile, Rfc3711MasterKey, Rfc3711MasterSalt);

    /// <summary>An RTP packet (V=2, PT 96) with <paramref name="payloadLength"/> patterned payload bytes, in a buffer with 64 spare bytes.</summary>
    public static byte[] Rtp(ushort sequence, uint ssrc = 0xCAFEBABE, int payloadLength = 100)
    {
        var buffer = new byte[12 + payloadLength + 64];
        buffer[0] = 0x80;
        buffer[1] = 96;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), sequence * 3000u);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(8), ssrc);
        for (var i = 0; i < payloadLength; i++)
        {
            buffer[12 + i] = (byte)(i * 7);
        }

        return buffer;
    }

    /// <summary>A receiver report with one report block (32 bytes) from <paramref name="ssrc"/>, in a buffer with 64 spare bytes.</summary>
    public static byte[] Rtcp(uint ssrc = 0xCAFEBABE)
    {
        var buffer = new byte[32 + 64];
        buffer[0] = 0x81;
        buffer[1] = 201;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), 7);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), ssrc);
        for (var i = 8; i < 32; i++)
        {
            buffer[i] = (byte)i;
        }

        return buffer;
    }

    public const int RtcpLength = 32;

    /// <summary>Protects RTP in a copy and returns the SRTP packet alone.</summary>
    public static byte[] Protect(SrtpContext context, byte[] rtpBuffer, int length)
    {
        var buffer = (byte[])rtpBuffer.Clone();
        Assert.True(context.TryProtectRtp(buffer, length, out var protectedLength));
        return buffer[..protectedLength];
    }

    public static byte[] ProtectRtcp(SrtpContext context, byte[] rtcpBuffer, int length)
    {
        var buffer = (byte[])rtcpBuffer.Clone();
        Assert.True(context.TryProtectRtcp(buffer, length, out var protectedLength));
        return buffer[..protectedLength];
    }
}
