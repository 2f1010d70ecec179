using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LiveRelay.Newsroom.Access;

/// <summary>What a play token grants: one station, one stream, under one share, until a time.</summary>
/// <param name="StationId">The partner station it was issued to.</param>
/// <param name="Path">The stream path it plays.</param>
/// <param name="ShareId">The share it was issued under (revoking the share voids it).</param>
/// <param name="ExpiresAt">When it stops working.</param>
public sealed record PlayTokenClaims(string StationId, string Path, string ShareId, DateTimeOffset ExpiresAt);

/// <summary>
/// Signed, expiring play tokens: <c>base64url(claims JSON) "." base64url(HMAC-SHA256(claims))</c>, with a
/// server secret. URL-safe, so they paste into HLS, RTMP, SRT and FLV links as <c>token=</c>.
/// </summary>
public sealed class PlayTokens
{
    private const int MaxTokenLength = 2048;
    private readonly Lazy<byte[]> _key;

    public PlayTokens(byte[] secret)
        : this(() => secret)
    {
    }

    /// <summary>With a key settled later (read from the database at start-up); fetched on first use.</summary>
    public PlayTokens(Func<byte[]> secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        _key = new Lazy<byte[]>(() =>
        {
            var key = secret();
            return key is { Length: >= 32 } ? key : throw new ArgumentException("The token secret must be at least 32 bytes.", nameof(secret));
        });
    }

    private byte[] Key => _key.Value;

    public string Issue(PlayTokenClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Wire(claims.StationId, claims.Path, claims.ShareId, claims.ExpiresAt.ToUnixTimeSeconds()));
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(Key, payload));
    }

    /// <summary>Checks the signature, the stream and the expiry; on failure says why (forged, expired, another stream).</summary>
    public bool TryValidate(string token, string path, DateTimeOffset now, out PlayTokenClaims? claims, out string error)
    {
        claims = null;
        if (!TryRead(token, out var read, out error))
        {
            return false;
        }

        if (read!.Path != path)
        {
            error = $"the token is for {read.Path}, not {path}";
            return false;
        }

        if (read.ExpiresAt <= now)
        {
            error = $"the token expired at {read.ExpiresAt:u}";
            return false;
        }

        claims = read;
        return true;
    }

    /// <summary>Reads a token whose signature is valid (whatever its expiry and stream).</summary>
    public bool TryRead(string token, out PlayTokenClaims? claims, out string error)
    {
        claims = null;
        error = "the token is malformed or forged";
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return false;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == token.Length - 1 || !IsBase64Url(token.AsSpan(0, dot)) || !IsBase64Url(token.AsSpan(dot + 1)))
        {
            // One spelling per token: the decoder would skip whitespace and padding, and a token
            // re-spelled that way must not pass for a different pull of the same grant.
            return false;
        }

        byte[] payload, signature;
        try
        {
            payload = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            signature = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(signature, HMACSHA256.HashData(Key, payload)))
        {
            return false;
        }

        try
        {
            var wire = JsonSerializer.Deserialize<Wire>(payload);
            if (wire is null || wire.S is null || wire.P is null || wire.H is null)
            {
                return false;
            }

            if (wire.E < DateTimeOffset.MinValue.ToUnixTimeSeconds() || wire.E > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            {
                return false;
            }

            claims = new PlayTokenClaims(wire.S, wire.P, wire.H, DateTimeOffset.FromUnixTimeSeconds(wire.E));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Only the base64url alphabet, no padding or whitespace (RFC 4648 §5, as tokens are written).</summary>
    private static bool IsBase64Url(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A new random secret, base64 (for the settings table).</summary>
    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Turns configured or stored secret text into key bytes (base64 if it decodes to 32+ bytes, else its UTF-8 hash).</summary>
    public static byte[] KeyFrom(string secret)
    {
        var buffer = new byte[secret.Length];
        if (Convert.TryFromBase64String(secret, buffer, out var written) && written >= 32)
        {
            return buffer[..written];
        }

        return SHA256.HashData(Encoding.UTF8.GetBytes(secret)).Concat(SHA256.HashData(Encoding.UTF8.GetBytes("liverelay:" + secret))).ToArray();
    }

    private sealed record Wire(string? S, string? P, string? H, long E);
}
