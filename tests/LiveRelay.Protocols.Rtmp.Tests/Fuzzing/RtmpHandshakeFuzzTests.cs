using LiveRelay.Protocols.Rtmp.Handshake;

namespace LiveRelay.Protocols.Rtmp.Tests.Fuzzing;

/// <summary>
/// The server handshake against mutated C0+C1 (simple, digest schema 0 and 1, RTMPE). It never throws for a full
/// 1537-byte C0+C1; a shorter span is a caller error its guard refuses with <see cref="ArgumentOutOfRangeException"/>.
/// A C1 is answered with the digest handshake only when it carries a genuine Flash Player digest, checked here
/// independently. The server reads C2 and discards it, so there is no C2 parser to fuzz.
/// </summary>
public sealed class RtmpHandshakeFuzzTests
{
    private const int Iterations = 10_000;

    /// <summary>The handshake itself allocates nothing (stackalloc, one-shot HMAC); the runtime's HMAC on OpenSSL allocates ~72 bytes a call.</summary>
    private const long AllocationBound = 1024;

    [Fact]
    public Task WriteResponse_MutatedC0C1_AcceptsOnlyGenuineDigestsAndNeverThrows() =>
        Fuzz.RunAsync(Iterations, RtmpSeeds.C0C1, Check);

    internal static void Check(byte[] c0c1, Random random)
    {
        var response = new byte[RtmpHandshake.S0S1S2Length];
        if (c0c1.Length < RtmpHandshake.C0C1Length)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => RtmpHandshake.WriteResponse(c0c1, response, 0));
            return;
        }

        var before = Fuzz.Allocated();
        var kind = RtmpHandshake.WriteResponse(c0c1, response, serverTimeMs: (uint)random.Next());
        Fuzz.AssertAllocatedAtMost(Fuzz.Allocated() - before, AllocationBound, "RtmpHandshake.WriteResponse");

        var c1 = c0c1.AsSpan(1, 1536);
        if (c0c1[0] != RtmpHandshake.Version)
        {
            Assert.Equal(HandshakeKind.Unsupported, kind);
            Assert.DoesNotContain(response, b => b != 0);
            return;
        }

        var versioned = c1.Slice(4, 4).ContainsAnyExcept((byte)0);
        var genuine = versioned && (RtmpSeeds.HasValidDigest(c1, 1) || RtmpSeeds.HasValidDigest(c1, 0));
        Assert.Equal(genuine ? HandshakeKind.Digest : HandshakeKind.Simple, kind);
        Assert.Equal(RtmpHandshake.Version, response[0]);
        if (kind == HandshakeKind.Simple)
        {
            Assert.True(c1.SequenceEqual(response.AsSpan(1 + 1536)), "S2 must echo C1 in the simple handshake");
        }
    }
}
