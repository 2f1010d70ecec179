namespace LiveRelay.Protocols.WebRtc.Srtp;

/// <summary>The SRTP protection profiles we offer in DTLS use_srtp (RFC 5764 §4.1.2, RFC 7714 §14.2); the values are the profile ids.</summary>
public enum SrtpProfile : ushort
{
    /// <summary>SRTP_AES128_CM_HMAC_SHA1_80: AES-128 counter mode, HMAC-SHA1 tag cut to 80 bits (RFC 3711).</summary>
    Aes128CmHmacSha1_80 = 0x0001,

    /// <summary>SRTP_AEAD_AES_128_GCM: AES-128-GCM with a 16-byte tag (RFC 7714).</summary>
    AeadAes128Gcm = 0x0007,
}

/// <summary>Key, salt and tag sizes of each profile.</summary>
internal static class SrtpProfiles
{
    public const int KeyLength = 16;

    /// <summary>The master and session salt: 112 bits for AES-CM (RFC 3711 §8.2), 96 bits for GCM (RFC 7714 §12).</summary>
    public static int SaltLength(SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 => 14,
        SrtpProfile.AeadAes128Gcm => 12,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "not a supported SRTP protection profile"),
    };
}
