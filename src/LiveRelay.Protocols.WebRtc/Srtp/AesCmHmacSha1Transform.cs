using System.Buffers.Binary;
using System.Security.Cryptography;

namespace LiveRelay.Protocols.WebRtc.Srtp;

/// <summary>
/// AES_CM_128_HMAC_SHA1_80 (RFC 3711 §4.1.1, §4.2.1): AES-128 counter mode over the payload, HMAC-SHA1 over the
/// packet and the ROC (SRTP) or the index word (SRTCP), cut to 80 bits.
/// </summary>
internal sealed class AesCmHmacSha1Transform : SrtpTransform
{
    public const int SaltLength = 14;
    public const int AuthKeyLength = 20;
    private const int Tag = 10;

    private readonly AesCounterMode _cipher;
    private readonly IncrementalHash _hmac;

    /// <summary>k_s · 2^16, the part of every IV that does not change (RFC 3711 §4.1.1).</summary>
    private readonly UInt128 _saltBlock;

    public AesCmHmacSha1Transform(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> authKey)
    {
        Span<byte> block = stackalloc byte[AesCounterMode.BlockLength];
        block.Clear();
        salt[..SaltLength].CopyTo(block);
        _saltBlock = BinaryPrimitives.ReadUInt128BigEndian(block);
        _cipher = new AesCounterMode(key);
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, authKey);
    }

    public override int TagLength => Tag;

    public override bool IndexWordAfterTag => false;

    /// <summary>Session keys for SRTP (labels 0, 1, 2) or SRTCP (3, 4, 5) from the master key's PRF.</summary>
    public static AesCmHmacSha1Transform Derive(AesCounterMode prf, ReadOnlySpan<byte> masterSalt, bool rtcp)
    {
        Span<byte> keys = stackalloc byte[SrtpProfiles.KeyLength + SaltLength + AuthKeyLength];
        var key = keys[..SrtpProfiles.KeyLength];
        var salt = keys.Slice(SrtpProfiles.KeyLength, SaltLength);
        var authKey = keys[(SrtpProfiles.KeyLength + SaltLength)..];
        SrtpKeyDerivation.Derive(prf, masterSalt, rtcp ? SrtpKeyDerivation.RtcpEncryption : SrtpKeyDerivation.RtpEncryption, key);
        SrtpKeyDerivation.Derive(prf, masterSalt, rtcp ? SrtpKeyDerivation.RtcpSalt : SrtpKeyDerivation.RtpSalt, salt);
        SrtpKeyDerivation.Derive(prf, masterSalt, rtcp ? SrtpKeyDerivation.RtcpAuthentication : SrtpKeyDerivation.RtpAuthentication, authKey);
        try
        {
            return new AesCmHmacSha1Transform(key, salt, authKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keys);
        }
    }

    //  IV = (k_s · 2^16) XOR (SSRC · 2^64) XOR (i · 2^16), i the 48-bit SRTP or 31-bit SRTCP index:
    //
    //   0       4       8               14  16
    //  +-------+-------+---------------+---+
    //  |      session salt (112 bits)  | 0 |
    //  |       | SSRC  |   index i     | 0 |   XORed in
    //  +-------+-------+---------------+---+  last 16 bits: the block counter j
    private UInt128 Iv(uint ssrc, ulong index) => _saltBlock ^ ((UInt128)ssrc << 64) ^ ((UInt128)index << 16);

    //  SRTP:  | RTP header | encrypted payload | auth tag (80) |
    //         '---------- authenticated -------'  over it || ROC (32)
    public override void ProtectRtp(Span<byte> packet, int headerLength, int length, uint ssrc, ulong index)
    {
        _cipher.Apply(Iv(ssrc, index), packet[headerLength..length]);
        Span<byte> roc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(roc, (uint)(index >> 16));
        Authenticate(packet[..length], roc, packet.Slice(length, Tag));
    }

    public override bool UnprotectRtp(Span<byte> packet, int headerLength, uint ssrc, ulong index)
    {
        var length = packet.Length - Tag;
        Span<byte> roc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(roc, (uint)(index >> 16));
        Span<byte> expected = stackalloc byte[Tag];
        Authenticate(packet[..length], roc, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, packet[length..]))
        {
            return false;
        }

        _cipher.Apply(Iv(ssrc, index), packet[headerLength..length]);
        return true;
    }

    //  SRTCP: | header (8) | encrypted rest of the compound | E | index (31) | auth tag (80) |
    //         '-------------------- authenticated ---------------------------'
    public override int ProtectRtcp(Span<byte> packet, int length, uint ssrc, uint index)
    {
        _cipher.Apply(Iv(ssrc, index), packet[RtcpHeaderLength..length]);
        BinaryPrimitives.WriteUInt32BigEndian(packet[length..], EncryptedFlag | index);
        var authenticated = length + SrtcpIndexLength;
        Authenticate(packet[..authenticated], default, packet.Slice(authenticated, Tag));
        return authenticated + Tag;
    }

    public override bool UnprotectRtcp(Span<byte> packet, int rtcpLength, uint ssrc, uint indexWord)
    {
        var authenticated = rtcpLength + SrtcpIndexLength;
        Span<byte> expected = stackalloc byte[Tag];
        Authenticate(packet[..authenticated], default, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, packet.Slice(authenticated, Tag)))
        {
            return false;
        }

        if ((indexWord & EncryptedFlag) != 0)
        {
            _cipher.Apply(Iv(ssrc, indexWord & ~EncryptedFlag), packet[RtcpHeaderLength..rtcpLength]);
        }

        return true;
    }

    private void Authenticate(ReadOnlySpan<byte> authenticated, ReadOnlySpan<byte> trailer, Span<byte> tag)
    {
        Span<byte> mac = stackalloc byte[AuthKeyLength];
        _hmac.AppendData(authenticated);
        _hmac.AppendData(trailer);
        _hmac.TryGetHashAndReset(mac, out _);
        mac[..Tag].CopyTo(tag);
    }

    public override void Dispose()
    {
        _cipher.Dispose();
        _hmac.Dispose();
    }
}
