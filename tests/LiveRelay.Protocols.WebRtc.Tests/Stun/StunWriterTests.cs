using System.Net;
using System.Text;
using LiveRelay.Protocols.WebRtc.Stun;

namespace LiveRelay.Protocols.WebRtc.Tests.Stun;

public sealed class StunWriterTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes(Rfc5769Vectors.Password);

    [Fact]
    public void WriteBindingSuccess_Rfc5769Ipv4Address_SameXorMappedAddressBytesAndParsesBack()
    {
        var buffer = new byte[StunMessage.MaxLength];
        var mapped = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853);

        var length = StunWriter.WriteBindingSuccess(buffer, Rfc5769Vectors.TransactionId, mapped, Key);
        var datagram = buffer.AsSpan(0, length).ToArray();

        // Header, XOR-MAPPED-ADDRESS 12, MESSAGE-INTEGRITY 24, FINGERPRINT 8.
        Assert.Equal(20 + 12 + 24 + 8, length);
        Assert.Equal(Rfc5769Vectors.Hex("00 20 00 08 00 01 a1 47 e1 12 a6 43"), datagram[20..32]);
        Assert.True(StunMessage.TryParse(datagram, out var message, out var error), error);
        Assert.Equal((StunClass.SuccessResponse, (ushort)1), (message.Class, message.Method));
        Assert.Equal(Rfc5769Vectors.TransactionId, message.TransactionId);
        Assert.Equal(mapped, message.XorMappedAddress);
        Assert.Equal(32, message.MessageIntegrityOffset);
        Assert.True(StunMessage.VerifyMessageIntegrity(datagram, Key));
        Assert.False(StunMessage.VerifyMessageIntegrity(datagram, "other"u8));
        Assert.True(StunMessage.VerifyFingerprint(datagram));
    }

    [Fact]
    public void WriteBindingSuccess_Rfc5769Ipv6Address_SameXorMappedAddressBytesAndParsesBack()
    {
        var buffer = new byte[200];
        var mapped = new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853);

        var length = StunWriter.WriteBindingSuccess(buffer, Rfc5769Vectors.TransactionId, mapped, Key);
        var datagram = buffer.AsSpan(0, length).ToArray();

        Assert.Equal(
            Rfc5769Vectors.Hex("00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9"),
            datagram[20..44]);
        Assert.True(StunMessage.TryParse(datagram, out var message, out _));
        Assert.Equal(mapped, message.XorMappedAddress);
        Assert.True(StunMessage.VerifyMessageIntegrity(datagram, Key));
        Assert.True(StunMessage.VerifyFingerprint(datagram));
    }

    [Fact]
    public void WriteBindingSuccess_Ipv4MappedIpv6_WrittenAsIpv4()
    {
        var buffer = new byte[200];
        var mapped = new IPEndPoint(IPAddress.Parse("::ffff:198.51.100.7"), 55432);

        var length = StunWriter.WriteBindingSuccess(buffer, Rfc5769Vectors.TransactionId, mapped, Key);

        Assert.True(StunMessage.TryParse(buffer.AsSpan(0, length), out var message, out _));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 55432), message.XorMappedAddress);
    }

    [Fact]
    public void WriteBindingSuccess_DirtyBuffer_PaddingAndOutputIndependentOfOldContent()
    {
        var clean = new byte[200];
        var dirty = Enumerable.Repeat((byte)0xAA, 200).ToArray();
        var mapped = new IPEndPoint(IPAddress.Loopback, 5000);

        var a = StunWriter.WriteBindingSuccess(clean, Rfc5769Vectors.TransactionId, mapped, Key);
        var b = StunWriter.WriteBindingSuccess(dirty, Rfc5769Vectors.TransactionId, mapped, Key);

        Assert.Equal(clean[..a], dirty[..b]);
    }

    [Theory]
    [InlineData(487, "Role Conflict")]
    [InlineData(401, "Unauthorized")]
    [InlineData(400, "Bad Request")]
    public void WriteBindingError_WithKey_ErrorCodeIntegrityAndFingerprint(int code, string reason)
    {
        var buffer = new byte[200];

        var length = StunWriter.WriteBindingError(buffer, Rfc5769Vectors.TransactionId, code, reason, Key);
        var datagram = buffer.AsSpan(0, length).ToArray();

        Assert.Equal(new byte[] { 0x01, 0x11 }, datagram[..2]);
        Assert.Equal(new byte[] { 0x00, 0x09, 0x00, (byte)(4 + reason.Length), 0, 0, (byte)(code / 100), (byte)(code % 100) }, datagram[20..28]);
        Assert.True(StunMessage.TryParse(datagram, out var message, out var error), error);
        Assert.Equal((StunClass.ErrorResponse, (ushort)1), (message.Class, message.Method));
        Assert.Equal((code, reason), message.Error);
        Assert.True(message.HasMessageIntegrity);
        Assert.True(StunMessage.VerifyMessageIntegrity(datagram, Key));
        Assert.True(StunMessage.VerifyFingerprint(datagram));
    }

    [Fact]
    public void WriteBindingError_NoKey_NoMessageIntegrity()
    {
        var buffer = new byte[200];

        var length = StunWriter.WriteBindingError(buffer, Rfc5769Vectors.TransactionId, 400, "Bad Request", ReadOnlySpan<byte>.Empty);
        var datagram = buffer.AsSpan(0, length).ToArray();

        // Header, ERROR-CODE 4 + 4 + "Bad Request" padded to 12, FINGERPRINT 8.
        Assert.Equal(20 + 4 + 16 + 8, length);
        Assert.True(StunMessage.TryParse(datagram, out var message, out _));
        Assert.False(message.HasMessageIntegrity);
        Assert.Equal((400, "Bad Request"), message.Error);
        Assert.True(StunMessage.VerifyFingerprint(datagram));
        Assert.False(StunMessage.VerifyMessageIntegrity(datagram, Key));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void WriteBindingRequest_RoundTrip_AttributesIntegrityFingerprint(bool controlling, bool useCandidate)
    {
        var buffer = new byte[StunMessage.MaxLength];
        var transactionId = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

        var length = StunWriter.WriteBindingRequest(buffer, transactionId, "h6vY:evtj", 0x6e0001ff, 0x932ff9b151263b36, controlling, useCandidate, Key);
        var datagram = buffer.AsSpan(0, length).ToArray();

        Assert.True(StunMessage.TryParse(datagram, out var message, out var error), error);
        Assert.Equal((StunClass.Request, (ushort)1), (message.Class, message.Method));
        Assert.Equal(transactionId, message.TransactionId);
        Assert.Equal("h6vY:evtj", message.Username);
        Assert.Equal(0x6e0001ffu, message.Priority);
        Assert.Equal(controlling ? (ulong?)0x932ff9b151263b36ul : null, message.IceControlling);
        Assert.Equal(controlling ? null : (ulong?)0x932ff9b151263b36ul, message.IceControlled);
        Assert.Equal(useCandidate, message.UseCandidate);
        Assert.True(StunMessage.VerifyMessageIntegrity(datagram, Key));
        Assert.True(StunMessage.VerifyFingerprint(datagram));
        Assert.Equal(StunAttributeType.Fingerprint, message.Attributes[^1].Type);
        Assert.Equal(StunAttributeType.MessageIntegrity, message.Attributes[^2].Type);
    }

    [Fact]
    public void Writers_DestinationTooSmall_ThrowArgumentException()
    {
        var mapped = new IPEndPoint(IPAddress.Loopback, 5000);

        Assert.Throws<ArgumentException>(() => StunWriter.WriteBindingSuccess(new byte[63], Rfc5769Vectors.TransactionId, mapped, Key));
        Assert.Equal(64, StunWriter.WriteBindingSuccess(new byte[64], Rfc5769Vectors.TransactionId, mapped, Key));
        Assert.Throws<ArgumentException>(() => StunWriter.WriteBindingError(new byte[40], Rfc5769Vectors.TransactionId, 487, "Role Conflict", Key));
        Assert.Throws<ArgumentException>(() => StunWriter.WriteBindingRequest(new byte[60], Rfc5769Vectors.TransactionId, "a:b", 1, 2, true, true, Key));
    }

    [Fact]
    public void Writers_BadArguments_Throw()
    {
        var buffer = new byte[StunMessage.MaxLength];

        Assert.Throws<ArgumentException>(() => StunWriter.WriteBindingSuccess(buffer, new byte[11], new IPEndPoint(IPAddress.Loopback, 1), Key));
        Assert.Throws<ArgumentOutOfRangeException>(() => StunWriter.WriteBindingError(buffer, Rfc5769Vectors.TransactionId, 200, "OK", Key));
        Assert.Throws<ArgumentOutOfRangeException>(() => StunWriter.WriteBindingError(buffer, Rfc5769Vectors.TransactionId, 700, "x", Key));
        Assert.Throws<ArgumentException>(() => StunWriter.WriteBindingRequest(buffer, Rfc5769Vectors.TransactionId, new string('u', 600), 1, 2, true, false, Key));
    }
}
