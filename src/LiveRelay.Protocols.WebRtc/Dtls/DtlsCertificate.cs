using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using TlsCertificate = Org.BouncyCastle.Crypto.Tls.Certificate;

namespace LiveRelay.Protocols.WebRtc.Dtls;

/// <summary>
/// The server's DTLS identity: a self-signed ECDSA P-256 certificate (what browsers use too), made
/// at start. Peers trust it through its SHA-256 fingerprint in the SDP answer (RFC 8122), not a CA.
/// </summary>
public sealed class DtlsCertificate
{
    private DtlsCertificate(TlsCertificate certificate, AsymmetricKeyParameter privateKey, string fingerprint)
    {
        Certificate = certificate;
        PrivateKey = privateKey;
        Fingerprint = fingerprint;
    }

    /// <summary>The certificate chain (one certificate) as the TLS layer sends it.</summary>
    internal TlsCertificate Certificate { get; }

    internal AsymmetricKeyParameter PrivateKey { get; }

    /// <summary>The SDP <c>a=fingerprint</c> value: <c>sha-256 AB:CD:…</c>.</summary>
    public string Fingerprint { get; }

    /// <summary>Makes a certificate valid from yesterday for a year, named <c>CN=LiveRelay</c>.</summary>
    public static DtlsCertificate Create()
    {
        var random = new SecureRandom();
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
        var keys = generator.GenerateKeyPair();

        var certificate = new X509V3CertificateGenerator();
        var name = new X509Name("CN=LiveRelay");
        certificate.SetSerialNumber(BigInteger.ProbablePrime(64, random));
        certificate.SetIssuerDN(name);
        certificate.SetSubjectDN(name);
        certificate.SetNotBefore(DateTime.UtcNow.AddDays(-1));
        certificate.SetNotAfter(DateTime.UtcNow.AddDays(365));
        certificate.SetPublicKey(keys.Public);
        var signed = certificate.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", keys.Private, random));
        var der = signed.GetEncoded();
        return new DtlsCertificate(
            new TlsCertificate([X509CertificateStructure.GetInstance(der)]),
            keys.Private,
            "sha-256 " + FormatFingerprint(SHA256.HashData(der)));
    }

    /// <summary>Hex bytes separated by colons, upper-case, as SDP writes fingerprints.</summary>
    public static string FormatFingerprint(ReadOnlySpan<byte> hash) => Convert.ToHexString(hash).Chunk(2).Aggregate("", (text, pair) => text.Length == 0 ? new string(pair) : text + ":" + new string(pair));
}
