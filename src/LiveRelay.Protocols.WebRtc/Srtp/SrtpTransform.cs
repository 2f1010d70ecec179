namespace LiveRelay.Protocols.WebRtc.Srtp;

/// <summary>
/// The cryptographic half of one profile for RTP or for RTCP, keyed with session keys: encrypts, decrypts and tags a
/// packet whose index the context has already worked out. Works in place on the caller's buffer.
/// </summary>
internal abstract class SrtpTransform : IDisposable
{
    /// <summary>The E flag and 31-bit SRTCP index word.</summary>
    public const int SrtcpIndexLength = 4;

    /// <summary>The fixed RTCP header that stays in the clear: V|P|RC|PT|length, SSRC of the sender.</summary>
    public const int RtcpHeaderLength = 8;

    public const uint EncryptedFlag = 0x8000_0000;

    public abstract int TagLength { get; }

    /// <summary>GCM puts the SRTCP index word after the tag (RFC 7714 §9.1), AES-CM before it (RFC 3711 §3.4).</summary>
    public abstract bool IndexWordAfterTag { get; }

    /// <summary>Encrypts <c>packet[headerLength..length]</c> and writes the tag at <c>packet[length..]</c>.</summary>
    public abstract void ProtectRtp(Span<byte> packet, int headerLength, int length, uint ssrc, ulong index);

    /// <summary>Checks the tag that ends <paramref name="packet"/>, then decrypts the payload; false on a mismatch.</summary>
    public abstract bool UnprotectRtp(Span<byte> packet, int headerLength, uint ssrc, ulong index);

    /// <summary>Encrypts <c>packet[8..length]</c>, appends the index word (E set) and the tag; returns the new length.</summary>
    public abstract int ProtectRtcp(Span<byte> packet, int length, uint ssrc, uint index);

    /// <summary>
    /// Checks the tag of the whole SRTCP <paramref name="packet"/> (its RTCP part is <c>packet[..rtcpLength]</c>),
    /// then decrypts when the E flag of <paramref name="indexWord"/> is set; false on a mismatch.
    /// </summary>
    public abstract bool UnprotectRtcp(Span<byte> packet, int rtcpLength, uint ssrc, uint indexWord);

    public abstract void Dispose();
}
