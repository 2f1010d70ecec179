namespace LiveRelay.Protocols.WebRtc.Srtp;

/// <summary>
/// One direction of one SRTP session (RFC 3711), every SSRC in it: the local context protects what we send, the
/// remote one unprotects what we receive (see <see cref="DtlsSrtpKeys"/>). Works in place on the caller's buffer and
/// allocates nothing per packet: the ciphers, the HMAC and the scratch buffers are made once here.
/// One exception: refusing a forged AEAD_AES_128_GCM packet costs the exception .NET's <c>AesGcm</c>
/// throws for a tag mismatch (about 400 bytes; it has no non-throwing decrypt), caught here.
/// <para>
/// Per SSRC it keeps the highest SRTP index (so the rollover counter, estimated as in RFC 3711 Appendix A), a
/// 128-packet replay window for SRTP and for SRTCP, and the SRTCP index sent. At most <see cref="MaxStreams"/> SSRCs:
/// a new one past that is refused (<see cref="SrtpError.TooManyStreams"/>, or false from the protect methods) rather
/// than evicting an old one, whose forgotten replay window would let its packets be replayed. A received SSRC takes a
/// slot only once a packet of it has authenticated, so forged packets cannot fill the table.
/// </para>
/// Not thread-safe: one context belongs to one connection loop.
/// </summary>
public sealed partial class SrtpContext : IDisposable
{
    /// <summary>The most SSRCs one direction tracks.</summary>
    public const int MaxStreams = 32;

    private readonly SrtpTransform _rtp;
    private readonly SrtpTransform _rtcp;
    private readonly SrtpStreamTable _streams = new(MaxStreams);
    private bool _disposed;

    /// <summary>Derives the SRTP and SRTCP session keys (RFC 3711 §4.3, key derivation rate 0) from the master key and salt.</summary>
    /// <exception cref="ArgumentException">The key is not 16 bytes or the salt not the profile's length (14 for AES-CM, 12 for GCM).</exception>
    public SrtpContext(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        var saltLength = SrtpProfiles.SaltLength(profile);
        if (masterKey.Length != SrtpProfiles.KeyLength)
        {
            throw new ArgumentException($"The SRTP master key is {masterKey.Length} bytes, not {SrtpProfiles.KeyLength}.", nameof(masterKey));
        }

        if (masterSalt.Length != saltLength)
        {
            throw new ArgumentException($"The {profile} master salt is {masterSalt.Length} bytes, not {saltLength}.", nameof(masterSalt));
        }

        Profile = profile;
        using var prf = new AesCounterMode(masterKey);
        if (profile == SrtpProfile.AeadAes128Gcm)
        {
            _rtp = AesGcmTransform.Derive(prf, masterSalt, rtcp: false);
            _rtcp = AesGcmTransform.Derive(prf, masterSalt, rtcp: true);
        }
        else
        {
            _rtp = AesCmHmacSha1Transform.Derive(prf, masterSalt, rtcp: false);
            _rtcp = AesCmHmacSha1Transform.Derive(prf, masterSalt, rtcp: true);
        }
    }

    /// <summary>From session keys made elsewhere (the RFC 7714 vectors give session keys, not master keys).</summary>
    internal SrtpContext(SrtpProfile profile, SrtpTransform rtp, SrtpTransform rtcp)
    {
        Profile = profile;
        _rtp = rtp;
        _rtcp = rtcp;
    }

    public SrtpProfile Profile { get; }

    /// <summary>Bytes SRTP adds to an RTP packet: the tag (10 for AES-CM, 16 for GCM).</summary>
    public int RtpOverhead => _rtp.TagLength;

    /// <summary>Bytes SRTCP adds to an RTCP packet: the 4-byte index word and the tag.</summary>
    public int RtcpOverhead => SrtpTransform.SrtcpIndexLength + _rtcp.TagLength;

    /// <summary>SSRCs tracked so far.</summary>
    public int StreamCount => _streams.Count;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _rtp.Dispose();
        _rtcp.Dispose();
    }
}
