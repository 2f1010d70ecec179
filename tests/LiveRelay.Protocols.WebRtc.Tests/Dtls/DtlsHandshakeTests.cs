using LiveRelay.Protocols.WebRtc.Dtls;
using LiveRelay.Protocols.WebRtc.Srtp;

namespace LiveRelay.Protocols.WebRtc.Tests.Dtls;

/// <summary>Our DTLS-SRTP server against our DTLS-SRTP client (both BouncyCastle), records passed in memory.</summary>
public sealed class DtlsHandshakeTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    private static byte[] Fingerprint(DtlsCertificate certificate) => Convert.FromHexString(certificate.Fingerprint["sha-256 ".Length..].Replace(":", "", StringComparison.Ordinal));

    [Fact]
    public async Task Handshake_MatchingFingerprints_BothSidesAgreeOnGcmAndKeys_AndSrtpFlows()
    {
        var serverCertificate = DtlsCertificate.Create();
        var clientCertificate = DtlsCertificate.Create();
        DtlsClientHandshake? client = null;
        var server = new DtlsHandshake(serverCertificate, Fingerprint(clientCertificate), (b, o, l) => client!.Receive(b.AsSpan(o, l)), s_timeout);
        client = new DtlsClientHandshake(clientCertificate, Fingerprint(serverCertificate), (b, o, l) => server.Receive(b.AsSpan(o, l)), s_timeout);

        var results = await Task.WhenAll(server.RunAsync(), client.RunAsync());

        Assert.Equal(SrtpProfile.AeadAes128Gcm, results[0].Profile);
        Assert.Equal(results[0].Profile, results[1].Profile);
        Assert.Equal(results[0].KeyingMaterial, results[1].KeyingMaterial);
        Assert.Equal(DtlsSrtpKeys.KeyingMaterialLength(SrtpProfile.AeadAes128Gcm), results[0].KeyingMaterial.Length);

        var (serverLocal, serverRemote) = DtlsSrtpKeys.FromKeyingMaterial(results[0].Profile, results[0].KeyingMaterial, isServer: true);
        var (clientLocal, clientRemote) = DtlsSrtpKeys.FromKeyingMaterial(results[1].Profile, results[1].KeyingMaterial, isServer: false);
        using (serverLocal)
        using (serverRemote)
        using (clientLocal)
        using (clientRemote)
        {
            byte[] rtp = [0x80, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10, 0x12, 0x34, 0x56, 0x78, .. "hello, server"u8];
            var buffer = new byte[rtp.Length + 32];
            rtp.CopyTo(buffer, 0);
            Assert.True(clientLocal.TryProtectRtp(buffer, rtp.Length, out var protectedLength));
            Assert.True(serverRemote.TryUnprotectRtp(buffer.AsSpan(0, protectedLength), out var length, out var error), error.ToString());
            Assert.Equal(rtp, buffer[..length]);
        }
    }

    [Fact]
    public async Task Handshake_ClientCertificateNotTheOneInItsSdp_ServerRefusesWithTheReason()
    {
        var serverCertificate = DtlsCertificate.Create();
        var clientCertificate = DtlsCertificate.Create();
        var announced = DtlsCertificate.Create();
        DtlsClientHandshake? client = null;
        var server = new DtlsHandshake(serverCertificate, Fingerprint(announced), (b, o, l) => client!.Receive(b.AsSpan(o, l)), s_timeout);
        client = new DtlsClientHandshake(clientCertificate, Fingerprint(serverCertificate), (b, o, l) => server.Receive(b.AsSpan(o, l)), s_timeout);

        var serverRun = server.RunAsync();
        var clientRun = client.RunAsync();

        var refused = await Assert.ThrowsAsync<DtlsHandshakeException>(() => serverRun);
        Assert.Equal("the peer's certificate does not match the fingerprint in its SDP", refused.Message);
        await Assert.ThrowsAsync<DtlsHandshakeException>(() => clientRun);
    }

    [Fact]
    public async Task Handshake_PeerNeverAnswers_EndsAtTheTimeoutWithTheReason()
    {
        var server = new DtlsHandshake(DtlsCertificate.Create(), new byte[32], (_, _, _) => { }, TimeSpan.FromSeconds(1));
        var client = new DtlsClientHandshake(DtlsCertificate.Create(), new byte[32], (_, _, _) => { }, TimeSpan.FromSeconds(1));

        var serverRefusal = await Assert.ThrowsAsync<DtlsHandshakeException>(() => server.RunAsync());
        var clientRefusal = await Assert.ThrowsAsync<DtlsHandshakeException>(() => client.RunAsync());

        Assert.Equal("the DTLS handshake did not complete in time", serverRefusal.Message);
        Assert.Equal("the DTLS handshake did not complete in time", clientRefusal.Message);
    }

    [Fact]
    public void Certificate_Fingerprint_IsSha256OfTheDerInSdpForm()
    {
        var certificate = DtlsCertificate.Create();

        Assert.Matches("^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$", certificate.Fingerprint);
        Assert.NotEqual(certificate.Fingerprint, DtlsCertificate.Create().Fingerprint);
    }
}
