using System.Buffers.Binary;
using System.Security.Cryptography;

namespace LiveRelay.Protocols.WebRtc.Stun;

public sealed partial class StunMessage
{
    /// <summary>The FINGERPRINT value is the CRC-32 XOR this ("STUN").</summary>
    internal const uint FingerprintXor = 0x5354554E;

    /// <summary>
    /// Checks MESSAGE-INTEGRITY with a short-term credential (RFC 5389 §15.4): HMAC-SHA1 keyed with
    /// <paramref name="key"/> (for ICE, the UTF-8 of the receiver's password) over the message up to the
    /// attribute, with the header length field set as if the message ended right after it. Compares in
    /// constant time. False for a datagram that is not well-formed STUN, has no MESSAGE-INTEGRITY, or for an empty key.
    /// </summary>
    public static bool VerifyMessageIntegrity(ReadOnlySpan<byte> datagram, ReadOnlySpan<byte> key)
    {
        if (key.IsEmpty
            || !TryFindAttribute(datagram, StunAttributeType.MessageIntegrity, out var offset, out var length)
            || length != MessageIntegrityLength)
        {
            return false;
        }

        Span<byte> covered = stackalloc byte[MaxLength];
        covered = covered[..offset];
        datagram[..offset].CopyTo(covered);
        BinaryPrimitives.WriteUInt16BigEndian(covered[2..], (ushort)(offset + 4 + MessageIntegrityLength - HeaderLength));
        Span<byte> mac = stackalloc byte[MessageIntegrityLength];
        HMACSHA1.HashData(key, covered, mac);
        return CryptographicOperations.FixedTimeEquals(mac, datagram.Slice(offset + 4, MessageIntegrityLength));
    }

    /// <summary>
    /// Checks FINGERPRINT (RFC 5389 §15.5): it must be the last attribute, and its value the CRC-32 of
    /// everything before it (header length field included, which already counts the FINGERPRINT) XOR
    /// 0x5354554E. False for a datagram that is not well-formed STUN or has no FINGERPRINT.
    /// </summary>
    public static bool VerifyFingerprint(ReadOnlySpan<byte> datagram)
    {
        if (!TryFindAttribute(datagram, StunAttributeType.Fingerprint, out var offset, out var length)
            || length != 4
            || offset + 8 != datagram.Length)
        {
            return false;
        }

        var expected = Crc32.Compute(datagram[..offset]) ^ FingerprintXor;
        return BinaryPrimitives.ReadUInt32BigEndian(datagram[(offset + 4)..]) == expected;
    }
}
