using LiveRelay.Protocols.WebRtc.Srtp;
using static LiveRelay.Protocols.WebRtc.Tests.Srtp.SrtpTestPackets;

namespace LiveRelay.Protocols.WebRtc.Tests.Srtp;

/// <summary>RFC 3711 Appendix B, libsrtp's srtp_validate()/srtp_validate_gcm() packets and RFC 7714 §16–17.</summary>
public sealed class SrtpKnownAnswerTests
{
    [Fact]
    public void Apply_Rfc3711AppendixB2_GivesTheAesCmKeystream()
    {
        using var aes = new AesCounterMode(Hex("2B7E151628AED2A6ABF7158809CF4F3C"));
        var keystream = new byte[65282 * 16];

        aes.Apply(UInt128.Parse("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000", System.Globalization.NumberStyles.HexNumber), keystream);

        Assert.Equal(Hex("E03EAD0935C95E80E166B16DD92B4EB4"), keystream[(0x0000 * 16)..(0x0001 * 16)]);
        Assert.Equal(Hex("D23513162B02D0F72A43A2FE4A5F97AB"), keystream[(0x0001 * 16)..(0x0002 * 16)]);
        Assert.Equal(Hex("41E95B3BB0A2E8DD477901E4FCA894C0"), keystream[(0x0002 * 16)..(0x0003 * 16)]);
        Assert.Equal(Hex("EC8CDF7398607CB0F2D21675EA9EA1E4"), keystream[(0xFEFF * 16)..(0xFF00 * 16)]);
        Assert.Equal(Hex("362B7C3C6773516318A077D7FC5073AE"), keystream[(0xFF00 * 16)..(0xFF01 * 16)]);
        Assert.Equal(Hex("6A2CC3787889374FBEB4C81B17BA6C44"), keystream[(0xFF01 * 16)..]);
    }

    [Fact]
    public void Derive_Rfc3711AppendixB3_GivesTheCipherKeySaltAndAuthKey()
    {
        using var prf = new AesCounterMode(Rfc3711MasterKey);
        var cipherKey = new byte[16];
        var cipherSalt = new byte[14];
        var authKey = new byte[94];

        SrtpKeyDerivation.Derive(prf, Rfc3711MasterSalt, SrtpKeyDerivation.RtpEncryption, cipherKey);
        SrtpKeyDerivation.Derive(prf, Rfc3711MasterSalt, SrtpKeyDerivation.RtpSalt, cipherSalt);
        SrtpKeyDerivation.Derive(prf, Rfc3711MasterSalt, SrtpKeyDerivation.RtpAuthentication, authKey);

        Assert.Equal(Hex("C61E7A93744F39EE10734AFE3FF7A087"), cipherKey);
        Assert.Equal(Hex("30CBBC08863D8C85D49DB34A9AE1"), cipherSalt);
        Assert.Equal(
            Hex("CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE E049646C43D9327AD175578EF7227098"
                + "6371C10C9A369AC2F94A8C5FBCDDDC25 6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2"),
            authKey);
    }

    private static readonly byte[] s_libsrtpRtp = Hex("800f1234decafbadcafebabe abababababababababababababababab");
    private static readonly byte[] s_libsrtpRtcp = Hex("81c8000bcafebabe abababababababababababababababab");

    public static TheoryData<SrtpProfile, string, string> LibsrtpPackets => new()
    {
        // srtp_validate(): AES_CM_128_HMAC_SHA1_80, master key and salt of RFC 3711 B.3.
        {
            SrtpProfile.Aes128CmHmacSha1_80,
            "800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc99ea179b8dbb",
            "81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001 993e08cd54d6c1230798"
        },
        // srtp_validate_gcm(): AEAD_AES_128_GCM, master key 00..0f and salt a0..ab.
        {
            SrtpProfile.AeadAes128Gcm,
            "800f1234decafbadcafebabe c5002ede04cfdd2eb91159e0880aa06e d2976826f796b201df3131a127e8a392",
            "81c8000bcafebabe c98b8b5df0392a55852b6c21ac8e7025 c52c6fbea2b3b446ea31123ba88ce61e 80000001"
        },
    };

    [Theory]
    [MemberData(nameof(LibsrtpPackets))]
    public void TryProtectRtp_LibsrtpReferencePacket_GivesTheReferenceCiphertext(SrtpProfile profile, string srtp, string srtcp)
    {
        _ = srtcp;
        using var sender = Context(profile);
        var buffer = new byte[64];
        s_libsrtpRtp.CopyTo(buffer, 0);

        Assert.True(sender.TryProtectRtp(buffer, s_libsrtpRtp.Length, out var length));

        Assert.Equal(Hex(srtp), buffer[..length]);
    }

    [Theory]
    [MemberData(nameof(LibsrtpPackets))]
    public void TryUnprotectRtp_LibsrtpReferenceCiphertext_GivesThePlaintext(SrtpProfile profile, string srtp, string srtcp)
    {
        _ = srtcp;
        using var receiver = Context(profile);
        var packet = Hex(srtp);

        Assert.True(receiver.TryUnprotectRtp(packet, out var length, out var error));

        Assert.Equal(SrtpError.None, error);
        Assert.Equal(s_libsrtpRtp, packet[..length]);
    }

    [Theory]
    [MemberData(nameof(LibsrtpPackets))]
    public void TryProtectRtcp_LibsrtpReferencePacket_GivesTheReferenceCiphertextWithIndexOne(SrtpProfile profile, string srtp, string srtcp)
    {
        _ = srtp;
        using var sender = Context(profile);
        var buffer = new byte[64];
        s_libsrtpRtcp.CopyTo(buffer, 0);

        Assert.True(sender.TryProtectRtcp(buffer, s_libsrtpRtcp.Length, out var length));

        Assert.Equal(Hex(srtcp), buffer[..length]);
    }

    [Theory]
    [MemberData(nameof(LibsrtpPackets))]
    public void TryUnprotectRtcp_LibsrtpReferenceCiphertext_GivesThePlaintext(SrtpProfile profile, string srtp, string srtcp)
    {
        _ = srtp;
        using var receiver = Context(profile);
        var packet = Hex(srtcp);

        Assert.True(receiver.TryUnprotectRtcp(packet, out var length, out var error));

        Assert.Equal(SrtpError.None, error);
        Assert.Equal(s_libsrtpRtcp, packet[..length]);
    }

    // RFC 7714 §16 and §17 give session keys: key 00..0f, salt "Quid pro quo".
    private static SrtpContext Rfc7714Context() => new(
        SrtpProfile.AeadAes128Gcm,
        new AesGcmTransform(Hex("000102030405060708090a0b0c0d0e0f"), Hex("517569642070726f2071756f")),
        new AesGcmTransform(Hex("000102030405060708090a0b0c0d0e0f"), Hex("517569642070726f2071756f")));

    /// <summary>SSRC 0x5501a0b2, sequence 0xf17b, payload "Gallia est omnis divisa in partes tres".</summary>
    private static readonly byte[] s_rfc7714Rtp = Hex(
        "8040f17b8041f8d35501a0b2 47616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573");

    private static readonly byte[] s_rfc7714Srtp = Hex(
        "8040f17b8041f8d35501a0b2 f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833"
        + "899d7f27beb16a9152cf765ee4390cce");

    /// <summary>SSRC "Mars", the packet §17.1–17.4 encrypt and decrypt.</summary>
    private static readonly byte[] s_rfc7714Rtcp = Hex(
        "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef");

    private static readonly byte[] s_rfc7714Srtcp = Hex(
        "81c8000d4d617273 63e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa458"
        + "96cf4d2fc5abf87245d9eade 800005d4");

    [Fact]
    public void TryProtectRtp_Rfc7714Section16_1_1_GivesTheEncryptedAndTaggedPacket()
    {
        using var sender = Rfc7714Context();
        var buffer = new byte[128];
        s_rfc7714Rtp.CopyTo(buffer, 0);

        Assert.True(sender.TryProtectRtp(buffer, s_rfc7714Rtp.Length, out var length));

        Assert.Equal(s_rfc7714Srtp, buffer[..length]);
    }

    [Fact]
    public void TryUnprotectRtp_Rfc7714Section16_1_2_GivesThePlaintext()
    {
        using var receiver = Rfc7714Context();
        var packet = (byte[])s_rfc7714Srtp.Clone();

        Assert.True(receiver.TryUnprotectRtp(packet, out var length, out _));

        Assert.Equal(s_rfc7714Rtp, packet[..length]);
    }

    [Fact]
    public void TryUnprotectRtcp_Rfc7714Section17_1_GivesThePlaintext()
    {
        using var receiver = Rfc7714Context();
        var packet = (byte[])s_rfc7714Srtcp.Clone();

        Assert.True(receiver.TryUnprotectRtcp(packet, out var length, out var error));

        Assert.Equal(SrtpError.None, error);
        Assert.Equal(s_rfc7714Rtcp, packet[..length]);
    }

    [Fact]
    public void TryProtectRtcp_Rfc7714Section17_1AtIndex0x5d4_GivesTheEncryptedAndTaggedPacket()
    {
        using var sender = Rfc7714Context();
        var buffer = new byte[128];
        for (var index = 1; index < 0x5d4; index++)
        {
            s_rfc7714Rtcp.CopyTo(buffer, 0);
            Assert.True(sender.TryProtectRtcp(buffer, s_rfc7714Rtcp.Length, out _));
        }

        s_rfc7714Rtcp.CopyTo(buffer, 0);
        Assert.True(sender.TryProtectRtcp(buffer, s_rfc7714Rtcp.Length, out var length));

        Assert.Equal(s_rfc7714Srtcp, buffer[..length]);
    }

    [Fact]
    public void TryUnprotectRtcp_Rfc7714Section17_3AuthenticatedOnly_GivesTheUnencryptedPacket()
    {
        using var receiver = Rfc7714Context();
        byte[] packet = [.. s_rfc7714Rtcp, .. Hex("841dd9683dd78ec92ae58790125f62b3 000005d4")];

        Assert.True(receiver.TryUnprotectRtcp(packet, out var length, out var error));

        Assert.Equal(SrtpError.None, error);
        Assert.Equal(s_rfc7714Rtcp, packet[..length]);
    }

    [Fact]
    public void TryProtectRtp_CsrcsAndHeaderExtension_EncryptsOnlyThePayload()
    {
        // The srtp_validate() packet with a CSRC and a 2-word one-byte-header extension: the keystream depends on
        // SSRC and index only, so the payload must encrypt to the same bytes as in the reference packet.
        var header = Hex("910f1234decafbadcafebabe 01020304 BEDE0002 1741427348220000");
        byte[] rtp = [.. header, .. Hex("abababababababababababababababab")];
        using var sender = Context(SrtpProfile.Aes128CmHmacSha1_80);
        using var receiver = Context(SrtpProfile.Aes128CmHmacSha1_80);
        var buffer = new byte[64];
        rtp.CopyTo(buffer, 0);

        Assert.True(sender.TryProtectRtp(buffer, rtp.Length, out var length));

        Assert.Equal(rtp.Length + 10, length);
        Assert.Equal(header, buffer[..header.Length]);
        Assert.Equal(Hex("4e55dc4ce79978d88ca4d215949d2402"), buffer[header.Length..rtp.Length]);
        Assert.True(receiver.TryUnprotectRtp(buffer.AsSpan(0, length), out var plainLength, out _));
        Assert.Equal(rtp, buffer[..plainLength]);
    }
}
