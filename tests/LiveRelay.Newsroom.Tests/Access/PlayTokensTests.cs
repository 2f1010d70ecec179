using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using LiveRelay.Newsroom.Access;

namespace LiveRelay.Newsroom.Tests.Access;

public sealed class PlayTokensTests
{
    private const string ForgedError = "the token is malformed or forged";
    private static readonly byte[] s_key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly DateTimeOffset s_now = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private static readonly PlayTokenClaims s_claims = new("station-1", "program/r1", "share-1", s_now.AddHours(1));

    private readonly PlayTokens _tokens = new(s_key);

    public static TheoryData<string> MalformedTokens() =>
    [
        "",
        ".",
        "a.b",
        "abc",
        "abc.",
        ".abc",
        "a.b.c",
        "!!!!.????",
        "AAAA.AAAA",
        "eyJTIjoiYSJ9.",
        new string('A', 5000),
        new string('a', 1000) + "." + new string('b', 1000),
        new string('a', 2000) + "." + new string('b', 2000),
    ];

    [Fact]
    public void Issue_ThenTryValidate_ReturnsTheClaims()
    {
        var token = _tokens.Issue(s_claims);

        var valid = _tokens.TryValidate(token, "program/r1", s_now, out var claims, out var error);

        Assert.True(valid, error);
        Assert.Equal(s_claims, claims);
        Assert.Matches("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", token); // URL-safe, no padding
    }

    [Fact]
    public void TryValidate_TamperedPayload_ReturnsFalseAsForged()
    {
        var token = _tokens.Issue(s_claims);
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        var json = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.AsSpan(0, dot)));
        var otherJson = json.Replace("program/r1", "program/r2", StringComparison.Ordinal);
        Assert.NotEqual(json, otherJson);
        var tampered = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(otherJson)) + token[dot..];

        Assert.False(_tokens.TryValidate(tampered, "program/r2", s_now, out var claims, out var error));
        Assert.Null(claims);
        Assert.Equal(ForgedError, error);
    }

    [Fact]
    public void TryValidate_TamperedSignature_ReturnsFalseAsForged()
    {
        var token = _tokens.Issue(s_claims);
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        var signature = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        signature[^1] ^= 0x01;
        var tampered = token[..(dot + 1)] + Base64Url.EncodeToString(signature);

        Assert.False(_tokens.TryValidate(tampered, "program/r1", s_now, out var claims, out var error));
        Assert.Null(claims);
        Assert.Equal(ForgedError, error);
    }

    [Fact]
    public void TryValidate_IssuedWithAnotherKey_ReturnsFalseAsForged()
    {
        var other = new PlayTokens(RandomNumberGenerator.GetBytes(32));
        var token = other.Issue(s_claims);

        Assert.False(_tokens.TryValidate(token, "program/r1", s_now, out var claims, out var error));
        Assert.Null(claims);
        Assert.Equal(ForgedError, error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(86_400)]
    public void TryValidate_AtOrAfterExpiry_ReturnsFalseAsExpired(int secondsAfterExpiry)
    {
        var token = _tokens.Issue(s_claims);

        var valid = _tokens.TryValidate(token, "program/r1", s_claims.ExpiresAt.AddSeconds(secondsAfterExpiry), out var claims, out var error);

        Assert.False(valid);
        Assert.Null(claims);
        Assert.Equal("the token expired at 2026-03-04 06:06:07Z", error);
    }

    [Fact]
    public void TryValidate_OneSecondBeforeExpiry_ReturnsTrue()
    {
        var token = _tokens.Issue(s_claims);

        Assert.True(_tokens.TryValidate(token, "program/r1", s_claims.ExpiresAt.AddSeconds(-1), out _, out var error), error);
    }

    [Fact]
    public void TryValidate_AnotherPath_ReturnsFalseNamingBothPaths()
    {
        var token = _tokens.Issue(s_claims);

        var valid = _tokens.TryValidate(token, "live/cam1", s_now, out var claims, out var error);

        Assert.False(valid);
        Assert.Null(claims);
        Assert.Equal("the token is for program/r1, not live/cam1", error);
    }

    [Theory]
    [MemberData(nameof(MalformedTokens))]
    public void TryValidate_MalformedToken_ReturnsFalseAsForged(string token)
    {
        Assert.False(_tokens.TryValidate(token, "program/r1", s_now, out var claims, out var error));
        Assert.Null(claims);
        Assert.Equal(ForgedError, error);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"S\":\"s\",\"P\":\"program/r1\",\"E\":1900000000}")]
    [InlineData("{\"S\":\"s\",\"P\":\"program/r1\",\"H\":\"h\",\"E\":\"soon\"}")]
    [InlineData("not json")]
    public void TryValidate_SignedPayloadThatIsNotClaims_ReturnsFalse(string json)
    {
        var payload = Encoding.UTF8.GetBytes(json);
        var token = Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(s_key, payload));

        Assert.False(_tokens.TryValidate(token, "program/r1", s_now, out var claims, out var error));
        Assert.Null(claims);
        Assert.Equal(ForgedError, error);
    }

    [Fact]
    public void TryRead_ExpiredTokenForAnotherPath_ReturnsItsClaims()
    {
        var token = _tokens.Issue(s_claims with { ExpiresAt = s_now.AddDays(-1) });

        Assert.True(_tokens.TryRead(token, out var claims, out _));
        Assert.Equal(s_claims with { ExpiresAt = s_now.AddDays(-1) }, claims);
    }

    [Fact]
    public void Issue_SecretShorterThan32Bytes_Throws()
    {
        var tokens = new PlayTokens(new byte[31]);

        var error = Assert.Throws<ArgumentException>(() => tokens.Issue(s_claims));
        Assert.Contains("at least 32 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyFrom_Base64OfThirtyTwoBytes_ReturnsTheBytes()
    {
        Assert.Equal(s_key, PlayTokens.KeyFrom(Convert.ToBase64String(s_key)));
    }

    [Fact]
    public void KeyFrom_PlainText_ReturnsStable64ByteKey()
    {
        var key = PlayTokens.KeyFrom("correct horse battery staple");

        Assert.Equal(64, key.Length);
        Assert.Equal(key, PlayTokens.KeyFrom("correct horse battery staple"));
        Assert.NotEqual(key, PlayTokens.KeyFrom("correct horse battery stapler"));
    }

    [Fact]
    public void NewSecret_KeyFrom_GivesAWorkingKey()
    {
        var tokens = new PlayTokens(PlayTokens.KeyFrom(PlayTokens.NewSecret()));

        Assert.True(tokens.TryValidate(tokens.Issue(s_claims), "program/r1", s_now, out _, out var error), error);
    }
}
