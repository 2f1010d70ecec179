using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LiveRelay.Server.Configuration;

/// <summary>
/// <c>LiveRelay:Tls</c>: the certificate for HTTPS (<c>--urls https://…</c>) and RTMPS
/// (<c>LiveRelay:Rtmps:Port</c>). PEM (a certificate chain file and a key file, or both in one file) or
/// PKCS#12 (<c>.pfx</c>/<c>.p12</c>, with <see cref="Password"/>).
/// </summary>
public sealed record TlsOptions
{
    /// <summary>Path of the certificate: PEM (<c>fullchain.pem</c>) or PKCS#12 (<c>.pfx</c>/<c>.p12</c>). Empty: no TLS.</summary>
    public string Certificate { get; init; } = "";

    /// <summary>Path of the PEM private key; empty when the certificate file holds it (or is PKCS#12).</summary>
    public string Key { get; init; } = "";

    /// <summary>Password of a PKCS#12 file or of an encrypted PEM key.</summary>
    public string Password { get; init; } = "";

    public bool Configured => Certificate.Length > 0;

    /// <summary>Loads the certificate with its key; throws <see cref="InvalidOperationException"/> saying what is wrong.</summary>
    public X509Certificate2 Load()
    {
        try
        {
            var extension = Path.GetExtension(Certificate).ToLowerInvariant();
            if (extension is ".pfx" or ".p12")
            {
                return X509CertificateLoader.LoadPkcs12FromFile(Certificate, Password.Length == 0 ? null : Password);
            }

            var key = Key.Length > 0 ? Key : null;
            var certificate = Password.Length > 0
                ? X509Certificate2.CreateFromEncryptedPemFile(Certificate, Password, key)
                : X509Certificate2.CreateFromPemFile(Certificate, key);
            return certificate.HasPrivateKey
                ? certificate
                : throw new InvalidOperationException("the certificate has no private key (set LiveRelay:Tls:Key)");
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"LiveRelay:Tls:Certificate {Certificate} cannot be loaded: {ex.Message}", ex);
        }
    }

    public IEnumerable<string> Validate()
    {
        if (Certificate.Length > 0 && !File.Exists(Certificate))
        {
            yield return $"LiveRelay:Tls:Certificate: {Certificate} does not exist";
        }

        if (Key.Length > 0 && !File.Exists(Key))
        {
            yield return $"LiveRelay:Tls:Key: {Key} does not exist";
        }

        if (Key.Length > 0 && Certificate.Length == 0)
        {
            yield return "LiveRelay:Tls:Key is set but LiveRelay:Tls:Certificate is not";
        }
    }
}

/// <summary><c>LiveRelay:Rtmps</c>: RTMP over TLS on its own port, with the <c>LiveRelay:Tls</c> certificate.</summary>
public sealed record RtmpsOptions
{
    /// <summary>TCP port; 0 (the default) turns RTMPS off. 443 is what most encoders assume for rtmps:// without a port.</summary>
    public int Port { get; init; }

    /// <summary>Address to bind; empty for all interfaces.</summary>
    public string Address { get; init; } = "";

    public IEnumerable<string> Validate(TlsOptions tls)
    {
        if (Port is < 0 or > 65535)
        {
            yield return $"LiveRelay:Rtmps:Port must be 0..65535 (got {Port})";
        }

        if (Port != 0 && !tls.Configured)
        {
            yield return "LiveRelay:Rtmps:Port needs a certificate: set LiveRelay:Tls:Certificate (and Key)";
        }

        if (Address.Length > 0 && !System.Net.IPAddress.TryParse(Address, out _))
        {
            yield return $"LiveRelay:Rtmps:Address must be an IP address (got {Address})";
        }
    }
}
