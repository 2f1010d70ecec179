using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using LiveRelay.Newsroom.Access;

namespace LiveRelay.Newsroom.Tests.Fuzzing;

/// <summary>
/// Play token reading and validation against mutated tokens: the token's text (bit flips, truncation, splices,
/// inserted padding, whitespace and base64 characters), its claims with the MAC kept, its MAC with the claims kept,
/// both, and base64url noise. Neither <see cref="PlayTokens.TryRead"/> nor <see cref="PlayTokens.TryValidate"/> may
/// throw; a mutated token, whatever its text, is refused as "malformed or forged". Issued tokens replayed at random
/// times and on random paths are valid only on their own path before their expiry.
/// </summary>
public sealed class PlayTokensFuzzTests
{
    private const int Iterations = 100_000;
    private const string ForgedError = "the token is malformed or forged";

    private static readonly byte[] s_key = [.. Enumerable.Range(1, 32).Select(i => (byte)(i * 7))];
    private static readonly DateTimeOffset s_now = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private static readonly PlayTokens s_tokens = new(s_key);
    private static readonly string[] s_insertions = ["=", "==", " ", "\t", "\r\n", "+", "/", "%3D", ".", "\0", "\u00A0", "A"];

    internal static readonly PlayTokenClaims[] Claims =
    [
        new("station-1", "program/r1", "share-1", s_now.AddHours(1)),
        new("st\u00e9tion \"2\"", "live/cam1", "share-\u2603", s_now.AddMinutes(1)),
        new("", "a/b/c/d", "", DateTimeOffset.MaxValue),
        new("x", "program/42", "y", DateTimeOffset.MinValue),
    ];

    internal static readonly string[] Issued = [.. Claims.Select(s_tokens.Issue)];

    internal static readonly byte[][] Seeds = [.. Issued.Select(Encoding.Latin1.GetBytes)];

    /// <summary>The claims JSON of each issued token.</summary>
    internal static readonly byte[][] SignedClaims = [.. Issued.Select(t => Base64Url.DecodeFromChars(t.AsSpan(0, t.IndexOf('.', StringComparison.Ordinal))))];

    [Fact]
    public Task TryReadAndTryValidate_MutatedTokens_RefusedAsForgedNeverThrow() =>
        Fuzz.RunAsync(Iterations, Seeds, Check, MutateToken);

    [Fact]
    public Task TryValidate_IssuedTokensAtRandomTimesAndPaths_ValidOnlyOnTheirPathBeforeExpiry() =>
        Fuzz.RunAsync(Iterations / 10, Seeds, CheckReplay, (random, seeds) => seeds[random.Next(seeds.Length)]);

    /// <summary>
    /// Past the MAC, as only the server key can get there: claims mutated and then signed must be refused or read,
    /// never make the read throw.
    /// </summary>
    [Fact]
    public Task TryRead_MutatedClaimsSignedWithTheKey_RefusedOrReadNeverThrow() =>
        Fuzz.RunAsync(Iterations / 4, SignedClaims, CheckSigned);

    /// <summary>
    /// A read of a token of at most 2,048 characters allocates its decoded halves, the HMAC and, past the MAC, the
    /// claims: 16 KiB plus 16 per UTF-16 byte.
    /// </summary>
    internal static long AllocationBound(int utf16Length) => (16 * 1024) + (16L * utf16Length);

    /// <summary>A mutant of one issued token; the input is its UTF-16 code units.</summary>
    internal static byte[] MutateToken(Random random, byte[][] seeds)
    {
        var token = Encoding.Latin1.GetString(seeds[random.Next(seeds.Length)]);
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        var (claims, mac) = (Base64Url.DecodeFromChars(token.AsSpan(0, dot)), Base64Url.DecodeFromChars(token.AsSpan(dot + 1)));
        var mutant = random.Next(6) switch
        {
            0 => Encoding.Latin1.GetString(Fuzz.Mutate(random, seeds)),
            1 => token.Insert(random.Next(token.Length + 1), s_insertions[random.Next(s_insertions.Length)]),
            2 => Base64Url.EncodeToString(Fuzz.Mutate(random, [claims])) + "." + Base64Url.EncodeToString(mac),
            3 => Base64Url.EncodeToString(claims) + "." + Base64Url.EncodeToString(Fuzz.Mutate(random, [mac])),
            4 => Base64Url.EncodeToString(Fuzz.Mutate(random, [claims])) + "." + Base64Url.EncodeToString(Fuzz.Mutate(random, [mac])),
            _ => Base64Url.EncodeToString(Fuzz.Noise(random, random.Next(300))) + "." + Base64Url.EncodeToString(Fuzz.Noise(random, 32)),
        };
        return MemoryMarshal.AsBytes(mutant.AsSpan()).ToArray();
    }

    internal static void Check(byte[] utf16, Random random)
    {
        var token = new string(MemoryMarshal.Cast<byte, char>(utf16));
        var before = Fuzz.Allocated();
        var read = s_tokens.TryRead(token, out var claims, out var error);
        Fuzz.AssertAllocatedAtMost(Fuzz.Allocated() - before, AllocationBound(utf16.Length), "PlayTokens.TryRead");
        var issued = Array.IndexOf(Issued, token);
        if (issued < 0)
        {
            Assert.False(read, $"the mutated token '{token}' was read as {claims}, the claims of an issued token");
            Assert.Null(claims);
            Assert.Equal(ForgedError, error);
        }

        var path = claims?.Path ?? Claims[random.Next(Claims.Length)].Path;
        var valid = s_tokens.TryValidate(token, path, s_now, out var validated, out error);
        Assert.True(issued >= 0 || !valid, $"the mutated token '{token}' validated for {path}: {validated}");
    }

    internal static void CheckReplay(byte[] latin1, Random random)
    {
        var token = Encoding.Latin1.GetString(latin1);
        var claims = Claims[Array.IndexOf(Issued, token)];
        var expires = DateTimeOffset.FromUnixTimeSeconds(claims.ExpiresAt.ToUnixTimeSeconds());
        var offset = TimeSpan.FromSeconds(random.Next(-5, 5) * (random.Next(2) == 0 ? 1 : 86_400));
        var now = new DateTimeOffset(Math.Clamp(expires.UtcTicks + offset.Ticks, DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero);
        var path = Claims[random.Next(Claims.Length)].Path;

        var valid = s_tokens.TryValidate(token, path, now, out var validated, out var error);

        Assert.Equal(path == claims.Path && now < expires, valid);
        Assert.Equal(valid, validated is not null);
        Assert.True(valid || error.Length > 0);
    }

    internal static void CheckSigned(byte[] json, Random random)
    {
        var read = s_tokens.TryRead(Signed(json), out var claims, out var error);

        Assert.Equal(read, claims is not null);
        Assert.True(read || error == ForgedError, error);
    }

    /// <summary>Signs <paramref name="claims"/> (UTF-8 JSON or anything else) with the server key, as only the server can.</summary>
    internal static string Signed(byte[] claims) =>
        Base64Url.EncodeToString(claims) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(s_key, claims));
}
