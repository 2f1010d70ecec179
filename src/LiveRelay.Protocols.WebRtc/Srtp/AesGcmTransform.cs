using System.Buffers.Binary;
using System.Security.Cryptography;

namespace LiveRelay.Protocols.WebRtc.Srtp;

/// <summary>
/// AEAD_AES_128_GCM (RFC 7714): the payload is the GCM plaintext, the header the associated data, and the 16-byte
/// GCM tag follows. A packet whose tag fails costs an exception (AesGcm has no Try form); those are dropped packets.
/// </summary>
internal sealed class AesGcmTransform : SrtpTransform
{
    public const int SaltLength = 12;
    private const int Tag = 16;
    private const int NonceLength = 12;

    private readonly AesGcm _gcm;
    private readonly byte[] _salt;

    public AesGcmTransform(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt)
    {
        _gcm = new AesGcm(key, Tag);
        _salt = salt[..SaltLength].ToArray();
    }

    public override int TagLength => Tag;

    public override bool IndexWordAfterTag => true;

    /// <summary>Session keys for SRTP (labels 0, 2) or SRTCP (3, 5) from the master key's PRF (RFC 7714 §11).</summary>
    public static AesGcmTransform Derive(AesCounterMode prf, ReadOnlySpan<byte> masterSalt, bool rtcp)
    {
        Span<byte> keys = stackalloc byte[SrtpProfiles.KeyLength + SaltLength];
        var key = keys[..SrtpProfiles.KeyLength];
        var salt = keys[SrtpProfiles.KeyLength..];
        SrtpKeyDerivation.Derive(prf, masterSalt, rtcp ? SrtpKeyDerivation.RtcpEncryption : SrtpKeyDerivation.RtpEncryption, key);
        SrtpKeyDerivation.Derive(prf, masterSalt, rtcp ? SrtpKeyDerivation.RtcpSalt : SrtpKeyDerivation.RtpSalt, salt);
        try
        {
            return new AesGcmTransform(key, salt);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keys);
        }
    }

    //  SRTP IV (RFC 7714 §8.1), XORed with the 96-bit session salt:
    //   0   2       6       10  12
    //  +---+-------+-------+---+
    //  | 0 | SSRC  |  ROC  |SEQ|
    //  +---+-------+-------+---+
    //  SRTCP IV (§9.1): | 0 (2) | SSRC (4) | 0 (2) | 0 + SRTCP index (31 bits) |
    private void Nonce(Span<byte> nonce, uint ssrc, ulong index)
    {
        nonce[..2].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        BinaryPrimitives.WriteUInt16BigEndian(nonce[6..], (ushort)(index >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], (uint)index);
        AesCounterMode.Xor(nonce, _salt);
    }

    //  SRTP: | RTP header = AAD | ciphertext | GCM tag (128) |
    public override void ProtectRtp(Span<byte> packet, int headerLength, int length, uint ssrc, ulong index)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        Nonce(nonce, ssrc, index);
        var payload = packet[headerLength..length];
        _gcm.Encrypt(nonce, payload, payload, packet.Slice(length, Tag), packet[..headerLength]);
    }

    public override bool UnprotectRtp(Span<byte> packet, int headerLength, uint ssrc, ulong index)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        Nonce(nonce, ssrc, index);
        var length = packet.Length - Tag;
        var payload = packet[headerLength..length];
        return TryDecrypt(nonce, payload, packet[length..], packet[..headerLength]);
    }

    //  SRTCP: | header (8) | ciphertext | GCM tag (128) | E | index (31) |
    //  AAD (§9.2): the 8-byte header || the index word, or with E clear the whole RTCP packet || the index word.
    public override int ProtectRtcp(Span<byte> packet, int length, uint ssrc, uint index)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        Nonce(nonce, ssrc, index);
        Span<byte> aad = stackalloc byte[RtcpHeaderLength + SrtcpIndexLength];
        packet[..RtcpHeaderLength].CopyTo(aad);
        BinaryPrimitives.WriteUInt32BigEndian(aad[RtcpHeaderLength..], EncryptedFlag | index);
        var body = packet[RtcpHeaderLength..length];
        _gcm.Encrypt(nonce, body, body, packet.Slice(length, Tag), aad);
        aad[RtcpHeaderLength..].CopyTo(packet[(length + Tag)..]);
        return length + Tag + SrtcpIndexLength;
    }

    public override bool UnprotectRtcp(Span<byte> packet, int rtcpLength, uint ssrc, uint indexWord)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        Nonce(nonce, ssrc, indexWord & ~EncryptedFlag);
        Span<byte> tag = stackalloc byte[Tag];
        packet.Slice(rtcpLength, Tag).CopyTo(tag);
        if ((indexWord & EncryptedFlag) != 0)
        {
            Span<byte> aad = stackalloc byte[RtcpHeaderLength + SrtcpIndexLength];
            packet[..RtcpHeaderLength].CopyTo(aad);
            BinaryPrimitives.WriteUInt32BigEndian(aad[RtcpHeaderLength..], indexWord);
            var body = packet[RtcpHeaderLength..rtcpLength];
            return TryDecrypt(nonce, body, tag, aad);
        }

        // Authenticated only: move the index word over the tag so that the AAD is one contiguous span.
        BinaryPrimitives.WriteUInt32BigEndian(packet[rtcpLength..], indexWord);
        return TryDecrypt(nonce, [], tag, packet[..(rtcpLength + SrtcpIndexLength)]);
    }

    private bool TryDecrypt(ReadOnlySpan<byte> nonce, Span<byte> data, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> aad)
    {
        try
        {
            _gcm.Decrypt(nonce, data, tag, data, aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    public override void Dispose()
    {
        _gcm.Dispose();
        CryptographicOperations.ZeroMemory(_salt);
    }
}
