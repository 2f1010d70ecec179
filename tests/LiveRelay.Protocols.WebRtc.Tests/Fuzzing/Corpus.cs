using System.Buffers.Binary;
using System.Runtime.InteropServices;
using LiveRelay.Protocols.WebRtc.Srtp;
using LiveRelay.Protocols.WebRtc.Tests.Sdp;
using LiveRelay.Protocols.WebRtc.Tests.Srtp;
using LiveRelay.Protocols.WebRtc.Tests.Stun;

namespace LiveRelay.Protocols.WebRtc.Tests.Fuzzing;

/// <summary>
/// Inputs kept from fuzzing and the limits it probes, replayed through the same checks (allocation guard armed after
/// a warm-up run). The forged GCM packets are the one failure found: refusing them allocates, which
/// <see cref="SrtpContext"/> documents it does not.
/// </summary>
public sealed class Corpus
{
    /// <summary>Found by <see cref="SrtpFuzzTests"/> (iteration 256): a CSRC packet seed with its payload mutated.</summary>
    private const string ForgedGcmRtp = "82600003000023280BADF00D00070E151C802A31652344380DD48ED443F4C40059AF951EB0698DCD100337D1FEDCFC30CF45ED89D1B03D657687A6E4E3F8AB8EF231481B";

    public static TheoryData<string, bool, byte[]> ForgedGcmPackets => new()
    {
        { "SRTP, mutated payload", false, Convert.FromHexString(ForgedGcmRtp) },
        { "SRTCP, E set, zero tag", true, Convert.FromHexString("81C90007CAFEBABE" + new string('0', 48) + "80000001") },
    };

    public static TheoryData<string, byte[]> StunDatagrams => new()
    {
        { "33 comprehension-optional attributes", Stun([.. Enumerable.Repeat<byte[]>([0x80, 0x00, 0x00, 0x00], 33).SelectMany(a => a)]) },
        { "attribute running past the end", Stun([0x00, 0x06, 0x00, 0x09, 0x61, 0x62, 0x63, 0x64]) },
        { "MESSAGE-INTEGRITY of 16 bytes", Stun([0x00, 0x08, 0x00, 0x10, .. new byte[16]]) },
        { "FINGERPRINT not last", Stun([0x80, 0x28, 0x00, 0x04, 0, 0, 0, 0, 0x80, 0x22, 0x00, 0x00]) },
        { "XOR-MAPPED-ADDRESS of family 3", Stun([0x00, 0x20, 0x00, 0x08, 0x00, 0x03, 0x12, 0x34, 1, 2, 3, 4]) },
        { "ERROR-CODE class 7", Stun([0x00, 0x09, 0x00, 0x04, 0x00, 0x00, 0x07, 0x00]) },
        { "USERNAME of invalid UTF-8", Stun([0x00, 0x06, 0x00, 0x04, 0xC3, 0x28, 0xFF, 0xFE]) },
        { "RFC 5769 request, USERNAME changed under its MESSAGE-INTEGRITY", ChangedAt(Rfc5769Vectors.Request, 64) },
        { "1,284 bytes", Stun([0x80, 0x22, 0x04, 0xF0, .. new byte[1264]]) },
    };

    public static TheoryData<string, string> Offers => new()
    {
        { "17 m= sections", SampleOffers.ObsWhip + string.Concat(Enumerable.Range(0, 17).Select(i => $"m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:v{i}\r\n")) },
        { "129 payload types", SampleOffers.ObsWhip + "m=video 9 UDP/TLS/RTP/SAVPF " + string.Join(' ', Enumerable.Range(0, 129)) + "\r\na=mid:x\r\n" },
        { "BUNDLE naming a mid no section has", SampleOffers.ObsWhip.Replace("a=group:BUNDLE", "a=group:BUNDLE nine", StringComparison.Ordinal) },
        { "v=0 only", "v=0\r\n" },
        { "64 KiB + 1", "v=0\r\n" + new string('a', (64 * 1024) - 4) },
        { "rtcp-fb lines 4,000 times", SampleOffers.ObsWhip + string.Concat(Enumerable.Range(0, 4000).Select(i => $"a=rtcp-fb:96 x{i}\n")) },
    };

    public static TheoryData<string, byte[]> SrtpPackets => new()
    {
        { "empty", [] },
        { "RTP header alone", SrtpTestPackets.Hex("80600001 00000000 CAFEBABE") },
        { "15 CSRCs past the end", SrtpTestPackets.Hex("8F600001 00000000 CAFEBABE") .Concat(new byte[40]).ToArray() },
        { "extension of 65,535 words", SrtpTestPackets.Hex("90600001 00000000 CAFEBABE BEDEFFFF").Concat(new byte[40]).ToArray() },
        { "SRTCP index 2^31 - 1, E clear", SrtpTestPackets.Hex("81C90007 CAFEBABE").Concat(new byte[24]).Concat(SrtpTestPackets.Hex("7FFFFFFF")).Concat(new byte[16]).ToArray() },
    };

    [Theory]
    [MemberData(nameof(ForgedGcmPackets))]
    public void TryUnprotect_ForgedGcmPacket_AllocatesOnlyTheCaughtTagMismatch(string name, bool rtcp, byte[] packet)
    {
        using var receiver = SrtpTestPackets.Context(SrtpProfile.AeadAes128Gcm);
        Unprotect(receiver, rtcp, packet); // the first throw's one-time costs

        var before = GC.GetAllocatedBytesForCurrentThread();
        var (accepted, error) = Unprotect(receiver, rtcp, packet);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.False(accepted);
        Assert.Equal(SrtpError.AuthenticationFailed, error);
        // SrtpContext documents this one cost: .NET's AesGcm throws on a tag mismatch (no non-throwing decrypt), caught inside.
        Assert.True(allocated <= 1024, $"{name}: refusing one forged packet allocated {allocated} bytes; the caught AuthenticationTagMismatchException costs about 400");
    }

    [Theory]
    [MemberData(nameof(StunDatagrams))]
    public void TryParseAndVerify_CorpusDatagram_PassesTheFuzzChecks(string name, byte[] datagram)
    {
        Assert.NotEmpty(name);
        Fuzz.Replay(datagram, StunFuzzTests.Check);
    }

    [Theory]
    [MemberData(nameof(Offers))]
    public void Parse_CorpusOffer_PassesTheFuzzChecks(string name, string sdp)
    {
        Assert.NotEmpty(name);
        Fuzz.Replay(MemoryMarshal.AsBytes(sdp.AsSpan()).ToArray(), SdpOfferFuzzTests.Check);
    }

    [Theory]
    [MemberData(nameof(SrtpPackets))]
    public void TryUnprotect_CorpusPacket_PassesTheFuzzChecks(string name, byte[] packet)
    {
        Assert.NotEmpty(name);
        Fuzz.Replay(packet, (input, _) =>
        {
            using var cm = SrtpTestPackets.Context(SrtpProfile.Aes128CmHmacSha1_80);
            using var gcm = SrtpTestPackets.Context(SrtpProfile.AeadAes128Gcm);
            SrtpFuzzTests.Check(input, cm, gcm);
        });
    }

    private static (bool Accepted, SrtpError Error) Unprotect(SrtpContext receiver, bool rtcp, byte[] packet)
    {
        var copy = (byte[])packet.Clone();
        var accepted = rtcp ? receiver.TryUnprotectRtcp(copy, out _, out var error) : receiver.TryUnprotectRtp(copy, out _, out error);
        return (accepted, error);
    }

    /// <summary>A Binding request carrying <paramref name="attributes"/>, its length field set to match.</summary>
    private static byte[] Stun(byte[] attributes)
    {
        byte[] datagram = [0x00, 0x01, 0, 0, 0x21, 0x12, 0xA4, 0x42, .. Rfc5769Vectors.TransactionId, .. attributes];
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), (ushort)attributes.Length);
        return datagram;
    }

    private static byte[] ChangedAt(byte[] datagram, int offset)
    {
        var copy = (byte[])datagram.Clone();
        copy[offset] ^= 0x20;
        return copy;
    }
}
