using LiveRelay.Protocols.WebRtc.Srtp;
using static LiveRelay.Protocols.WebRtc.Tests.Srtp.SrtpTestPackets;

namespace LiveRelay.Protocols.WebRtc.Tests.Srtp;

public sealed class DtlsSrtpKeysTests
{
    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 60)]
    [InlineData(SrtpProfile.AeadAes128Gcm, 56)]
    public void KeyingMaterialLength_Profile_IsTwiceKeyPlusSalt(SrtpProfile profile, int expected)
    {
        Assert.Equal(expected, DtlsSrtpKeys.KeyingMaterialLength(profile));
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void FromKeyingMaterial_ServerAndClient_EachReadsWhatTheOtherProtects(SrtpProfile profile)
    {
        var material = Enumerable.Range(1, DtlsSrtpKeys.KeyingMaterialLength(profile)).Select(i => (byte)(i * 13)).ToArray();
        var (serverLocal, serverRemote) = DtlsSrtpKeys.FromKeyingMaterial(profile, material, isServer: true);
        var (clientLocal, clientRemote) = DtlsSrtpKeys.FromKeyingMaterial(profile, material, isServer: false);
        using (serverLocal)
        using (serverRemote)
        using (clientLocal)
        using (clientRemote)
        {
            var fromServer = Protect(serverLocal, Rtp(1), 112);
            var fromClient = Protect(clientLocal, Rtp(1), 112);

            Assert.False(serverRemote.TryUnprotectRtp((byte[])fromServer.Clone(), out _, out _)); // not its own keys
            Assert.True(clientRemote.TryUnprotectRtp(fromServer, out _, out _));
            Assert.True(serverRemote.TryUnprotectRtp(fromClient, out _, out _));
        }
    }

    [Fact]
    public void FromKeyingMaterial_ClientKeyFirst_IsTheClientsWriteKey()
    {
        // client key = master key of RFC 3711 B.3, client salt = its salt: the client's local context then makes
        // libsrtp's reference packet.
        var material = new byte[60];
        Rfc3711MasterKey.CopyTo(material, 0);
        Rfc3711MasterSalt.CopyTo(material, 32);
        var (local, remote) = DtlsSrtpKeys.FromKeyingMaterial(SrtpProfile.Aes128CmHmacSha1_80, material, isServer: false);
        using (local)
        using (remote)
        {
            var srtp = Protect(local, Hex("800f1234decafbadcafebabe abababababababababababababababab 00000000000000000000"), 28);

            Assert.Equal(Hex("800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc99ea179b8dbb"), srtp);
        }
    }

    [Theory]
    [InlineData(SrtpProfile.Aes128CmHmacSha1_80, 56)]
    [InlineData(SrtpProfile.AeadAes128Gcm, 60)]
    public void FromKeyingMaterial_WrongLength_Throws(SrtpProfile profile, int length)
    {
        Assert.Throws<ArgumentException>(() => DtlsSrtpKeys.FromKeyingMaterial(profile, new byte[length], isServer: true));
    }
}
