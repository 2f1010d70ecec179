using System.Collections;
using SHA256 = System.Security.Cryptography.SHA256;
using CryptographicOperations = System.Security.Cryptography.CryptographicOperations;
using LiveRelay.Protocols.WebRtc.Srtp;
using Org.BouncyCastle.Crypto.Tls;

namespace LiveRelay.Protocols.WebRtc.Dtls;

/// <summary>
/// The DTLS 1.2 server of a WebRTC peer connection (RFC 5763/5764): ECDHE-ECDSA suites, our
/// certificate, a certificate request whose answer must match the fingerprint the peer's SDP
/// announced (else <c>bad_certificate</c>), and the use_srtp extension choosing AEAD_AES_128_GCM when
/// offered, else AES_CM_128_HMAC_SHA1_80. After the handshake, <see cref="KeyingMaterial"/> holds
/// the SRTP master keys and salts (RFC 5764 §4.2).
/// </summary>
internal sealed class DtlsSrtpServer(DtlsCertificate certificate, byte[] expectedPeerFingerprint) : DefaultTlsServer
{
    private static readonly int[] s_suites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ];

    private SrtpProfile? _profile;

    /// <summary>The protection profile both sides chose, after the handshake.</summary>
    public SrtpProfile Profile => _profile ?? throw new InvalidOperationException("no use_srtp profile was agreed");

    /// <summary>The exported SRTP keying material, after the handshake.</summary>
    public byte[]? KeyingMaterial { get; private set; }

    /// <summary>Why the handshake failed, when the failure was ours to name.</summary>
    public string? Failure { get; private set; }

    protected override ProtocolVersion MinimumVersion => ProtocolVersion.DTLSv10;

    protected override ProtocolVersion MaximumVersion => ProtocolVersion.DTLSv12;

    protected override int[] GetCipherSuites() => s_suites;

    protected override TlsSignerCredentials GetECDsaSignerCredentials() =>
        new DefaultTlsSignerCredentials(mContext, certificate.Certificate, certificate.PrivateKey, new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));

    public override void ProcessClientExtensions(IDictionary clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        var offered = TlsSRTPUtils.GetUseSrtpExtension(clientExtensions)?.ProtectionProfiles ?? [];
        _profile = offered.Contains((int)SrtpProfile.AeadAes128Gcm) ? SrtpProfile.AeadAes128Gcm
            : offered.Contains((int)SrtpProfile.Aes128CmHmacSha1_80) ? SrtpProfile.Aes128CmHmacSha1_80
            : null;
        if (_profile is null)
        {
            Failure = "the peer offered no SRTP protection profile we support (use_srtp)";
            throw new TlsFatalAlert(AlertDescription.handshake_failure);
        }
    }

    public override IDictionary GetServerExtensions()
    {
        var extensions = base.GetServerExtensions() ?? new Hashtable();
        TlsSRTPUtils.AddUseSrtpExtension(extensions, new UseSrtpData([(int)_profile!.Value], []));
        return extensions;
    }

    public override CertificateRequest GetCertificateRequest() =>
        new([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
            new ArrayList
            {
                new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa),
                new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.rsa),
                new SignatureAndHashAlgorithm(HashAlgorithm.sha1, SignatureAlgorithm.ecdsa),
                new SignatureAndHashAlgorithm(HashAlgorithm.sha1, SignatureAlgorithm.rsa),
            },
            null);

    public override void NotifyClientCertificate(Certificate clientCertificate)
    {
        if (clientCertificate is null || clientCertificate.IsEmpty)
        {
            Failure = "the peer sent no certificate";
            throw new TlsFatalAlert(AlertDescription.handshake_failure);
        }

        var presented = SHA256.HashData(clientCertificate.GetCertificateAt(0).GetEncoded());
        if (!CryptographicOperations.FixedTimeEquals(presented, expectedPeerFingerprint))
        {
            Failure = "the peer's certificate does not match the fingerprint in its SDP";
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        KeyingMaterial = mContext.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, DtlsSrtpKeys.KeyingMaterialLength(Profile));
    }
}
