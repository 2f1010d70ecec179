using System.Buffers.Binary;
using System.Net;
using System.Text;
using LiveRelay.Protocols.WebRtc.Stun;
using LiveRelay.Protocols.WebRtc.Tests.Stun;

namespace LiveRelay.Protocols.WebRtc.Tests.Fuzzing;

/// <summary>
/// STUN decoding and verification against mutated RFC 5769 vectors and our own Binding messages: none of
/// <see cref="StunMessage.TryParse"/>, <see cref="StunMessage.VerifyMessageIntegrity"/> and
/// <see cref="StunMessage.VerifyFingerprint"/> may throw, a refusal carries its reason, and MESSAGE-INTEGRITY verifies
/// only when every byte it covers is a seed's (no mutant is forged).
/// </summary>
public sealed class StunFuzzTests
{
    private const int Iterations = 150_000;

    /// <summary>The verifiers work on the stack; the runtime's one-shot HMAC on OpenSSL allocates a few dozen bytes a call.</summary>
    private const long VerifyBound = 1024;

    private static readonly byte[] s_rfcKey = Encoding.UTF8.GetBytes(Rfc5769Vectors.Password);
    private static readonly byte[] s_ourKey = Encoding.UTF8.GetBytes("0123456789abcdefghijklmn");
    private static readonly byte[] s_transaction = Convert.FromHexString("0102030405060708090A0B0C");

    /// <summary>Each seed with the key that signed it.</summary>
    internal static readonly (byte[] Datagram, byte[] Key)[] Signed =
    [
        (Rfc5769Vectors.Request, s_rfcKey),
        (Rfc5769Vectors.Ipv4Response, s_rfcKey),
        (Rfc5769Vectors.Ipv6Response, s_rfcKey),
        (Written(d => StunWriter.WriteBindingRequest(d, s_transaction, "abcd1234:wxyz9876", 0x6E7F00FF, 0x1122334455667788, controlling: true, useCandidate: true, s_ourKey)), s_ourKey),
        (Written(d => StunWriter.WriteBindingSuccess(d, s_transaction, new IPEndPoint(IPAddress.Parse("2001:db8::1"), 50000), s_ourKey)), s_ourKey),
        (Written(d => StunWriter.WriteBindingError(d, s_transaction, 487, "Role Conflict", s_ourKey)), s_ourKey),
    ];

    internal static readonly byte[][] Seeds = [.. Signed.Select(s => s.Datagram)];

    [Fact]
    public Task TryParseAndVerify_MutatedDatagrams_NeverThrowAndNeverVerifyAForgery() =>
        Fuzz.RunAsync(Iterations, Seeds, Check, MutateKeepingFraming);

    /// <summary>
    /// Mutants of which half get their header length field set to what follows the header (padded to 4 bytes), so
    /// that the attribute walk, not the header check, meets the damage.
    /// </summary>
    internal static byte[] MutateKeepingFraming(Random random, byte[][] seeds)
    {
        var mutant = Fuzz.Mutate(random, seeds);
        if (mutant.Length < StunMessage.HeaderLength || random.Next(2) == 0)
        {
            return mutant;
        }

        Array.Resize(ref mutant, (mutant.Length + 3) & ~3);
        BinaryPrimitives.WriteUInt16BigEndian(mutant.AsSpan(2), (ushort)(mutant.Length - StunMessage.HeaderLength));
        return mutant;
    }

    /// <summary>
    /// A decode allocates the message, a copy of each attribute value (at most the datagram), the decoded strings
    /// (UTF-16, twice their bytes) and the error text: 8 KiB plus 8 per datagram byte.
    /// </summary>
    internal static long ParseBound(int length) => (8 * 1024) + (8L * length);

    internal static void Check(byte[] datagram, Random random)
    {
        var before = Fuzz.Allocated();
        var parsed = StunMessage.TryParse(datagram, out var message, out var error);
        Fuzz.AssertAllocatedAtMost(Fuzz.Allocated() - before, ParseBound(datagram.Length), "StunMessage.TryParse");
        Assert.Equal(parsed, error is null);
        if (parsed)
        {
            Assert.True(StunMessage.IsStun(datagram));
            Assert.InRange(message!.Attributes.Count, 0, StunMessage.MaxAttributes);
        }

        before = Fuzz.Allocated();
        var fingerprint = StunMessage.VerifyFingerprint(datagram);
        Fuzz.AssertAllocatedAtMost(Fuzz.Allocated() - before, VerifyBound, "StunMessage.VerifyFingerprint");
        Assert.True(!(parsed && fingerprint) || message!.HasFingerprint, "FINGERPRINT verified but the decode did not see it");

        foreach (var key in new[] { s_rfcKey, s_ourKey })
        {
            before = Fuzz.Allocated();
            var integrity = StunMessage.VerifyMessageIntegrity(datagram, key);
            Fuzz.AssertAllocatedAtMost(Fuzz.Allocated() - before, VerifyBound, "StunMessage.VerifyMessageIntegrity");
            Assert.True(!integrity || CoversOnlySeedBytes(datagram, key), "MESSAGE-INTEGRITY verified on bytes no seed signed: a forgery");
        }
    }

    /// <summary>
    /// Whether the bytes MESSAGE-INTEGRITY covers (the header but its length field, the attributes before it, and the
    /// HMAC itself) are those of a seed signed with <paramref name="key"/>.
    /// </summary>
    private static bool CoversOnlySeedBytes(byte[] datagram, byte[] key) => Signed.Any(seed =>
    {
        if (seed.Key != key || !StunMessage.TryParse(seed.Datagram, out var message, out _) || !message.HasMessageIntegrity)
        {
            return false;
        }

        var end = message.MessageIntegrityOffset + 24;
        return datagram.Length >= end
            && datagram.AsSpan(0, 2).SequenceEqual(seed.Datagram.AsSpan(0, 2))
            && datagram.AsSpan(4, end - 4).SequenceEqual(seed.Datagram.AsSpan(4, end - 4));
    });

    private static byte[] Written(Func<byte[], int> write)
    {
        var buffer = new byte[StunMessage.MaxLength];
        return buffer[..write(buffer)];
    }
}
