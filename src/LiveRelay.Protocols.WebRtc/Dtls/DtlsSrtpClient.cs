using System.Collections;
using LiveRelay.Protocols.WebRtc.Srtp;
using Org.BouncyCastle.Crypto.Tls;
using CryptographicOperations = System.Security.Cryptography.CryptographicOperations;
using SHA256 = System.Security.Cryptography.SHA256;

namespace LiveRelay.Protocols.WebRtc.Dtls;

/// <summary>
/// The DTLS 1.2 client side of DTLS-SRTP, for tools and tests that act as a browser (the WHEP load
/// client): offers both SRTP profiles, presents its certificate, and accepts the server only when
/// its certificate matches the fingerprint of the server's SDP answer.
/// </summary>
internal sealed class DtlsSrtpClient(DtlsCertificate certificate, byte[] expectedServerFingerprint) : DefaultTlsClient
{
    private readonly DtlsCertificate _certificate = certificate;
    private readonly byte[] _expectedServerFingerprint = expectedServerFingerprint;

    private static readonly int[] s_suites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ];

    public SrtpProfile? Profile { get; private set; }

    public byte[]? KeyingMaterial { get; private set; }

    public string? Failure { get; private set; }

    public override ProtocolVersion ClientVersion => ProtocolVersion.DTLSv12;

    public override ProtocolVersion MinimumVersion => ProtocolVersion.DTLSv10;

    public override int[] GetCipherSuites() => s_suites;

    public override IDictionary GetClientExtensions()
    {
        var extensions = base.GetClientExtensions() ?? new Hashtable();
        TlsSRTPUtils.AddUseSrtpExtension(extensions, new UseSrtpData([(int)SrtpProfile.AeadAes128Gcm, (int)SrtpProfile.Aes128CmHmacSha1_80], []));
        return extensions;
    }

    public override void ProcessServerExtensions(IDictionary serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);
        var chosen = TlsSRTPUtils.GetUseSrtpExtension(serverExtensions)?.ProtectionProfiles;
        if (chosen is not { Length: 1 })
        {
            Failure = "the server chose no SRTP protection profile";
            throw new TlsFatalAlert(AlertDescription.illegal_parameter);
        }

        Profile = (SrtpProfile)chosen[0];
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        KeyingMaterial = mContext.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, DtlsSrtpKeys.KeyingMaterialLength(Profile!.Value));
    }

    private sealed class Authentication(DtlsSrtpClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(Certificate serverCertificate)
        {
            var presented = serverCertificate.IsEmpty ? [] : SHA256.HashData(serverCertificate.GetCertificateAt(0).GetEncoded());
            if (!CryptographicOperations.FixedTimeEquals(presented, client._expectedServerFingerprint))
            {
                client.Failure = "the server's certificate does not match the fingerprint in its SDP";
                throw new TlsFatalAlert(AlertDescription.bad_certificate);
            }
        }

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) =>
            new DefaultTlsSignerCredentials(client.mContext, client._certificate.Certificate, client._certificate.PrivateKey, new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }
}

/// <summary>Runs the client side of a DTLS-SRTP handshake over any datagram path (blocking, on a thread of its own).</summary>
public sealed class DtlsClientHandshake
{
    private readonly DatagramQueueTransport _transport;
    private readonly DtlsSrtpClient _client;

    /// <param name="certificate">Our certificate (its fingerprint goes in our SDP).</param>
    /// <param name="serverFingerprint">The SHA-256 fingerprint from the server's SDP answer.</param>
    /// <param name="send">Sends a record to the server.</param>
    /// <param name="timeout">How long the whole handshake may take.</param>
    public DtlsClientHandshake(DtlsCertificate certificate, byte[] serverFingerprint, Action<byte[], int, int> send, TimeSpan timeout)
    {
        _transport = new DatagramQueueTransport(send, DateTime.UtcNow + timeout);
        _client = new DtlsSrtpClient(certificate, serverFingerprint);
    }

    /// <summary>Hands the handshake a DTLS record from the server.</summary>
    public void Receive(ReadOnlySpan<byte> record) => _transport.Enqueue(record);

    public Task<DtlsSrtpResult> RunAsync() => Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private DtlsSrtpResult Run()
    {
        try
        {
            new DtlsClientProtocol(new Org.BouncyCastle.Security.SecureRandom()).Connect(_client, _transport);
            return new DtlsSrtpResult(_client.Profile!.Value, _client.KeyingMaterial!);
        }
        catch (TlsFatalAlert alert) when (_client.Failure is { } failure)
        {
            throw new DtlsHandshakeException(failure, alert);
        }
        catch (Exception ex) when (ex is TlsException or IOException or TimeoutException or InvalidOperationException)
        {
            throw new DtlsHandshakeException(_transport.PastDeadline ? "the DTLS handshake did not complete in time" : $"the DTLS handshake failed: {ex.Message}", ex);
        }
        finally
        {
            _transport.Close();
        }
    }
}
