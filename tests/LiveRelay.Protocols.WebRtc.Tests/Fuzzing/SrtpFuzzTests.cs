using LiveRelay.Protocols.WebRtc.Srtp;
using LiveRelay.Protocols.WebRtc.Tests.Srtp;
using static LiveRelay.Protocols.WebRtc.Tests.Srtp.SrtpTestPackets;

namespace LiveRelay.Protocols.WebRtc.Tests.Fuzzing;

/// <summary>
/// SRTP and SRTCP unprotection against mutated packets, on AES-CM and GCM receivers with fixed keys that live for the
/// whole run. Every mutant goes to both unprotect methods of both receivers. Neither may throw; a refusal returns false
/// with an <see cref="SrtpError"/> and leaves <see cref="SrtpContext.StreamCount"/> as it was (no state for an SSRC
/// that did not authenticate); only a packet byte-identical to one the sender protected is accepted.
/// </summary>
public sealed class SrtpFuzzTests
{
    private const int Iterations = 60_000;

    /// <summary>
    /// <see cref="SrtpContext"/> documents that it allocates nothing per packet, and AES-CM does not. A GCM packet that
    /// fails authentication costs the <c>AuthenticationTagMismatchException</c> <c>AesGcm</c> throws and the transform
    /// catches (about 300 bytes): a constant, tolerated here so the run keeps hunting, and held to the documented zero by
    /// <see cref="Corpus.TryUnprotect_ForgedGcmPacket_AllocatesOnlyTheCaughtTagMismatch"/>.
    /// </summary>
    internal static long AllocationBound(SrtpProfile profile) => profile == SrtpProfile.AeadAes128Gcm ? 1024 : 0;

    /// <summary>What the sender protected: RTP with and without payload, with CSRCs, with a header extension; RTCP.</summary>
    internal static readonly (SrtpProfile Profile, bool Rtcp, byte[] Packet)[] Sent = Protected();

    internal static readonly byte[][] Seeds = [.. Sent.Select(p => p.Packet)];

    [Fact]
    public async Task TryUnprotect_MutatedPackets_RefuseWithReasonAndKeepNoState()
    {
        using var cm = Context(SrtpProfile.Aes128CmHmacSha1_80);
        using var gcm = Context(SrtpProfile.AeadAes128Gcm);

        await Fuzz.RunAsync(Iterations, Seeds, (packet, _) => Check(packet, cm, gcm));
    }

    internal static void Check(byte[] packet, params SrtpContext[] receivers)
    {
        foreach (var receiver in receivers)
        {
            foreach (var rtcp in new[] { false, true })
            {
                var copy = (byte[])packet.Clone();
                var streams = receiver.StreamCount;
                var before = Fuzz.Allocated();
                var accepted = rtcp
                    ? receiver.TryUnprotectRtcp(copy, out var length, out var error)
                    : receiver.TryUnprotectRtp(copy, out length, out error);
                Fuzz.AssertAllocatedAtMost(Fuzz.Allocated() - before, AllocationBound(receiver.Profile), $"SrtpContext.TryUnprotect{(rtcp ? "Rtcp" : "Rtp")} ({receiver.Profile})");

                if (accepted)
                {
                    Assert.Equal(SrtpError.None, error);
                    Assert.Contains(Sent, s => s.Profile == receiver.Profile && s.Rtcp == rtcp && s.Packet.AsSpan().SequenceEqual(packet));
                }
                else
                {
                    Assert.NotEqual(SrtpError.None, error);
                    Assert.Equal(0, length);
                    Assert.Equal(streams, receiver.StreamCount);
                }
            }
        }
    }

    private static (SrtpProfile, bool, byte[])[] Protected()
    {
        var sent = new List<(SrtpProfile, bool, byte[])>();
        foreach (var profile in new[] { SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm })
        {
            using var sender = Context(profile);
            var csrcs = Rtp(3, 0x0BADF00D, 40);
            csrcs[0] = 0x82; // two CSRCs, then 32 bytes of payload
            var extension = Rtp(4, 0xCAFEBABE, 40);
            extension[0] = 0x90;
            Hex("BEDE0001").CopyTo(extension, 12); // one-byte header extension, one word
            sent.Add((profile, false, Protect(sender, Rtp(1), 112)));
            sent.Add((profile, false, Protect(sender, Rtp(2, 0x01020304, 0), 12)));
            sent.Add((profile, false, Protect(sender, csrcs, 52)));
            sent.Add((profile, false, Protect(sender, extension, 52)));
            sent.Add((profile, true, ProtectRtcp(sender, Rtcp(), RtcpLength)));
            sent.Add((profile, true, ProtectRtcp(sender, Rtcp(0x01020304), RtcpLength)));
        }

        return [.. sent];
    }
}
