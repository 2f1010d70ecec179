namespace LiveRelay.Protocols.WebRtc.Srtp;

/// <summary>Splits the DTLS-SRTP keying material into the two directions' SRTP contexts (RFC 5764 §4.2).</summary>
public static class DtlsSrtpKeys
{
    /// <summary>The TLS exporter label the keying material is drawn with (RFC 5764 §4.2), no context.</summary>
    public const string ExporterLabel = "EXTRACTOR-dtls_srtp";

    /// <summary>Bytes to export: 2 · (16 + 14) = 60 for AES-CM, 2 · (16 + 12) = 56 for GCM.</summary>
    public static int KeyingMaterialLength(SrtpProfile profile) => 2 * (SrtpProfiles.KeyLength + SrtpProfiles.SaltLength(profile));

    //  | client_write_SRTP_master_key | server_write_SRTP_master_key | client_write_SRTP_master_salt | server_write_SRTP_master_salt |
    //  |             16               |              16              |          14 (CM) / 12 (GCM)   |        14 (CM) / 12 (GCM)     |

    /// <summary>
    /// The contexts for one DTLS association: <c>Local</c> protects what we send (the server's write keys when
    /// <paramref name="isServer"/>), <c>Remote</c> unprotects what the peer sends. The caller owns and disposes both.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="material"/> is not <see cref="KeyingMaterialLength"/> bytes.</exception>
    public static (SrtpContext Local, SrtpContext Remote) FromKeyingMaterial(SrtpProfile profile, ReadOnlySpan<byte> material, bool isServer)
    {
        var expected = KeyingMaterialLength(profile);
        if (material.Length != expected)
        {
            throw new ArgumentException($"{profile} keying material is {expected} bytes, not {material.Length}.", nameof(material));
        }

        const int key = SrtpProfiles.KeyLength;
        var salt = SrtpProfiles.SaltLength(profile);
        var client = new SrtpContext(profile, material[..key], material.Slice(2 * key, salt));
        try
        {
            var server = new SrtpContext(profile, material.Slice(key, key), material.Slice((2 * key) + salt, salt));
            return isServer ? (server, client) : (client, server);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
