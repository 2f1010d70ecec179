using System.Net;
using System.Text;
using LiveRelay.Protocols.WebRtc.Stun;

namespace LiveRelay.Protocols.WebRtc.Tests.Stun;

public sealed class StunMessageTests
{
    private static readonly byte[] RightKey = Encoding.UTF8.GetBytes(Rfc5769Vectors.Password);

    [Fact]
    public void TryParse_Rfc5769SampleRequest_ReadsIceAttributes()
    {
        Assert.True(StunMessage.TryParse(Rfc5769Vectors.Request, out var message, out var error), error);

        Assert.Equal((StunClass.Request, (ushort)1, (ushort)0x0001), (message.Class, message.Method, message.Type));
        Assert.Equal(Rfc5769Vectors.TransactionId, message.TransactionId);
        Assert.Equal("evtj:h6vY", message.Username);
        Assert.Equal("STUN test client", message.Software);
        Assert.Equal(0x6e0001ffu, message.Priority);
        Assert.Equal(0x932ff9b151263b36ul, message.IceControlled);
        Assert.Null(message.IceControlling);
        Assert.False(message.UseCandidate);
        Assert.Null(message.XorMappedAddress);
        Assert.True(message.HasMessageIntegrity);
        Assert.True(message.HasFingerprint);
        // Header 20 + SOFTWARE 20 + PRIORITY 8 + ICE-CONTROLLED 12 + USERNAME 16.
        Assert.Equal(76, message.MessageIntegrityOffset);
        Assert.Equal(
            new[] { StunAttributeType.Software, StunAttributeType.Priority, StunAttributeType.IceControlled, StunAttributeType.Username, StunAttributeType.MessageIntegrity, StunAttributeType.Fingerprint },
            message.Attributes.Select(a => a.Type));
        Assert.Equal("evtj:h6vY"u8.ToArray(), message.Attributes[3].Value);
        Assert.Empty(message.UnknownComprehensionRequired);
    }

    [Fact]
    public void TryParse_Rfc5769Ipv4Response_DecodesXorMappedAddress()
    {
        Assert.True(StunMessage.TryParse(Rfc5769Vectors.Ipv4Response, out var message, out var error), error);

        Assert.Equal((StunClass.SuccessResponse, (ushort)1), (message.Class, message.Method));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), message.XorMappedAddress);
        Assert.Equal("test vector", message.Software);
        Assert.Equal(48, message.MessageIntegrityOffset); // header 20 + SOFTWARE 16 + XOR-MAPPED-ADDRESS 12
        Assert.True(message.HasFingerprint);
    }

    [Fact]
    public void TryParse_Rfc5769Ipv6Response_DecodesXorMappedAddress()
    {
        Assert.True(StunMessage.TryParse(Rfc5769Vectors.Ipv6Response, out var message, out var error), error);

        Assert.Equal(StunClass.SuccessResponse, message.Class);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853), message.XorMappedAddress);
        Assert.Equal(60, message.MessageIntegrityOffset); // header 20 + SOFTWARE 16 + XOR-MAPPED-ADDRESS 24
    }

    [Theory]
    [MemberData(nameof(Rfc5769Vectors.Names), MemberType = typeof(Rfc5769Vectors))]
    public void VerifyMessageIntegrity_Rfc5769VectorWithItsPassword_True(string vector)
    {
        Assert.True(StunMessage.VerifyMessageIntegrity(Rfc5769Vectors.ByName(vector), RightKey));
    }

    [Theory]
    [MemberData(nameof(Rfc5769Vectors.Names), MemberType = typeof(Rfc5769Vectors))]
    public void VerifyMessageIntegrity_Rfc5769VectorWithWrongPassword_False(string vector)
    {
        Assert.False(StunMessage.VerifyMessageIntegrity(Rfc5769Vectors.ByName(vector), "VOkJxbRl1RmTxUk/WvJxBu"u8));
        Assert.False(StunMessage.VerifyMessageIntegrity(Rfc5769Vectors.ByName(vector), ReadOnlySpan<byte>.Empty));
    }

    [Theory]
    [MemberData(nameof(Rfc5769Vectors.Names), MemberType = typeof(Rfc5769Vectors))]
    public void VerifyFingerprint_Rfc5769Vector_True(string vector)
    {
        Assert.True(StunMessage.VerifyFingerprint(Rfc5769Vectors.ByName(vector)));
    }

    [Theory]
    [MemberData(nameof(Rfc5769Vectors.Names), MemberType = typeof(Rfc5769Vectors))]
    public void Verify_OneByteFlippedInSoftware_BothFalse(string vector)
    {
        var tampered = Rfc5769Vectors.ByName(vector).ToArray();
        tampered[25] ^= 0x01; // inside the SOFTWARE value of all three

        Assert.True(StunMessage.TryParse(tampered, out _, out _));
        Assert.False(StunMessage.VerifyFingerprint(tampered));
        Assert.False(StunMessage.VerifyMessageIntegrity(tampered, RightKey));
    }

    [Fact]
    public void VerifyFingerprint_FingerprintValueFlipped_False()
    {
        var tampered = Rfc5769Vectors.Request.ToArray();
        tampered[^1] ^= 0x80;

        Assert.False(StunMessage.VerifyFingerprint(tampered));
        Assert.True(StunMessage.VerifyMessageIntegrity(tampered, RightKey)); // the MAC does not cover FINGERPRINT
    }

    [Theory]
    [MemberData(nameof(Rfc5769Vectors.Names), MemberType = typeof(Rfc5769Vectors))]
    public void TryParse_EveryTruncatedPrefix_RefusedWithoutThrowing(string vector)
    {
        var bytes = Rfc5769Vectors.ByName(vector);
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes.AsSpan(0, length);

            Assert.False(StunMessage.TryParse(prefix, out var message, out var error), $"prefix of {length}");
            Assert.Null(message);
            Assert.False(string.IsNullOrEmpty(error));
            Assert.False(StunMessage.IsStun(prefix));
            Assert.False(StunMessage.VerifyFingerprint(prefix));
            Assert.False(StunMessage.VerifyMessageIntegrity(prefix, RightKey));
        }
    }

    [Fact]
    public void TryParse_PrefixWithLengthFieldFixedUp_RefusedAsAttributeRunningPastTheEnd()
    {
        // Cut the request inside the USERNAME value but keep the header consistent: the attribute walk must catch it.
        var cut = Rfc5769Vectors.Request.AsSpan(0, 68).ToArray();
        cut[2] = 0;
        cut[3] = 48;

        Assert.True(StunMessage.IsStun(cut));
        Assert.False(StunMessage.TryParse(cut, out _, out var error));
        Assert.Contains("runs past the end", error);
    }

    [Fact]
    public void TryParse_AttributeLengthPastEnd_Refused()
    {
        var datagram = Message(0x0001, [0x00, 0x06, 0x00, 0x40, (byte)'a', (byte)'b', (byte)'c', (byte)'d']);

        Assert.False(StunMessage.TryParse(datagram, out _, out var error));
        Assert.Contains("0x0006", error);
        Assert.Contains("runs past the end", error);
        Assert.False(StunMessage.VerifyMessageIntegrity(datagram, RightKey));
    }

    [Fact]
    public void TryParse_PaddingMissingAfterOddLength_Refused()
    {
        // USERNAME of 9 bytes takes 12 with padding; the message has only 8 after the attribute header.
        var datagram = Message(0x0001, [0x00, 0x06, 0x00, 0x09, .. "abcdefgh"u8]);

        Assert.False(StunMessage.TryParse(datagram, out _, out var error));
        Assert.Contains("runs past the end", error);
    }

    [Fact]
    public void TryParse_MoreThan32Attributes_Refused()
    {
        var attributes = new byte[33 * 4];
        for (var i = 0; i < 33; i++)
        {
            attributes[i * 4] = 0x80; // SOFTWARE, empty
            attributes[i * 4 + 1] = 0x22;
        }

        Assert.False(StunMessage.TryParse(Message(0x0001, attributes), out _, out var error));
        Assert.Contains("more than 32 attributes", error);
        Assert.True(StunMessage.TryParse(Message(0x0001, attributes.AsSpan(0, 32 * 4).ToArray()), out var message, out _));
        Assert.Equal(32, message.Attributes.Count);
    }

    [Fact]
    public void TryParse_OverMaxLength_Refused()
    {
        // One 1264-byte optional attribute: well-formed, but 1288 bytes in all.
        var attributes = new byte[StunMessage.MaxLength - 12];
        attributes[0] = 0xC0;
        attributes[2] = (StunMessage.MaxLength - 16) >> 8;
        attributes[3] = (StunMessage.MaxLength - 16) & 0xFF;

        Assert.True(StunMessage.IsStun(Message(0x0001, attributes)));
        Assert.False(StunMessage.TryParse(Message(0x0001, attributes), out _, out var error));
        Assert.Contains("limit", error);
    }

    [Fact]
    public void TryParse_AttributeAfterFingerprint_Refused()
    {
        var bytes = Rfc5769Vectors.Request.Concat(new byte[] { 0x80, 0x22, 0x00, 0x00 }).ToArray();
        bytes[3] += 4;

        Assert.False(StunMessage.TryParse(bytes, out _, out var error));
        Assert.Contains("after FINGERPRINT", error);
        Assert.False(StunMessage.VerifyFingerprint(bytes));
    }

    [Fact]
    public void TryParse_AttributesAfterMessageIntegrity_KeptButNotInterpreted()
    {
        // PRIORITY after MESSAGE-INTEGRITY must be ignored (RFC 5389 §15.4).
        var integrity = new byte[24];
        integrity[1] = 0x08;
        integrity[3] = 20;
        var datagram = Message(0x0001, [.. integrity, 0x00, 0x24, 0x00, 0x04, 0x00, 0x00, 0x00, 0x07]);

        Assert.True(StunMessage.TryParse(datagram, out var message, out var error), error);
        Assert.Null(message.Priority);
        Assert.Equal(2, message.Attributes.Count);
    }

    [Fact]
    public void TryParse_BadFixedLengthAttribute_Refused()
    {
        var datagram = Message(0x0001, [0x00, 0x24, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00]);

        Assert.False(StunMessage.TryParse(datagram, out _, out var error));
        Assert.Contains("expected 4", error);
    }

    [Fact]
    public void TryParse_UnknownComprehensionRequiredAttribute_Listed()
    {
        var datagram = Message(0x0001, [0x00, 0x33, 0x00, 0x00, 0xC0, 0x57, 0x00, 0x04, 0x00, 0x01, 0x00, 0x0A]);

        Assert.True(StunMessage.TryParse(datagram, out var message, out _));
        Assert.Equal(new ushort[] { 0x0033 }, message.UnknownComprehensionRequired);
    }

    [Fact]
    public void TryParse_Indication_ClassIndication()
    {
        Assert.True(StunMessage.TryParse(Message(0x0011, []), out var message, out _));

        Assert.Equal((StunClass.Indication, (ushort)1), (message.Class, message.Method));
    }

    [Theory]
    [InlineData(new byte[] { 0x16, 0xfe, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 })] // DTLS ClientHello record
    [InlineData(new byte[] { 0x80, 0x60, 0x12, 0x34, 0x21, 0x12, 0xa4, 0x42, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 })] // RTP, even with the cookie at offset 4
    [InlineData(new byte[] { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x43, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae })] // wrong cookie
    [InlineData(new byte[] { 0x00, 0x01, 0x00, 0x02, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x00, 0x00 })] // length not a multiple of 4
    public void IsStun_NotStun_False(byte[] datagram)
    {
        Assert.False(StunMessage.IsStun(datagram));
        Assert.False(StunMessage.TryParse(datagram, out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void IsStun_Rfc5769Vectors_True()
    {
        Assert.True(StunMessage.IsStun(Rfc5769Vectors.Request));
        Assert.True(StunMessage.IsStun(Rfc5769Vectors.Ipv4Response));
        Assert.True(StunMessage.IsStun(Rfc5769Vectors.Ipv6Response));
    }

    [Fact]
    public void Crc32_CheckString_StandardValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
    }

    /// <summary>A header with the RFC 5769 transaction id in front of <paramref name="attributes"/>.</summary>
    private static byte[] Message(ushort type, byte[] attributes)
    {
        var message = new byte[20 + attributes.Length];
        message[0] = (byte)(type >> 8);
        message[1] = (byte)type;
        message[2] = (byte)(attributes.Length >> 8);
        message[3] = (byte)attributes.Length;
        message[4] = 0x21;
        message[5] = 0x12;
        message[6] = 0xa4;
        message[7] = 0x42;
        Rfc5769Vectors.TransactionId.CopyTo(message, 8);
        attributes.CopyTo(message, 20);
        return message;
    }
}
