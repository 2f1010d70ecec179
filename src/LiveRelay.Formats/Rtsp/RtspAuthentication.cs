using System.Security.Cryptography;
using System.Text;

namespace LiveRelay.Formats.Rtsp;

/// <summary>
/// The <c>Authorization</c> header for an RTSP request answered with 401: Digest (RFC 2617, MD5,
/// without qop — what IP cameras ask for) when the server offers it, else Basic.
/// </summary>
public static class RtspAuthentication
{
    /// <summary>The header value for <paramref name="method"/> on <paramref name="uri"/>, or null when no challenge is usable.</summary>
    public static string? Respond(string wwwAuthenticate, string method, string uri, string username, string password)
    {
        ArgumentNullException.ThrowIfNull(wwwAuthenticate);
        var challenges = wwwAuthenticate.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var challenge in challenges)
        {
            if (challenge.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase))
            {
                var realm = Parameter(challenge, "realm");
                var nonce = Parameter(challenge, "nonce");
                if (realm is null || nonce is null)
                {
                    continue;
                }

                var ha1 = Md5($"{username}:{realm}:{password}");
                var ha2 = Md5($"{method}:{uri}");
                var response = Md5($"{ha1}:{nonce}:{ha2}");
                return $"Digest username=\"{username}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", response=\"{response}\"";
            }
        }

        return challenges.Any(c => c.StartsWith("Basic", StringComparison.OrdinalIgnoreCase))
            ? "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"))
            : null;
    }

    /// <summary>A quoted or bare parameter of a challenge, e.g. realm="IP Camera".</summary>
    public static string? Parameter(string challenge, string name)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        var at = 0;
        while ((at = challenge.IndexOf(name + "=", at, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            if (at == 0 || challenge[at - 1] is ' ' or ',')
            {
                var value = challenge[(at + name.Length + 1)..];
                if (value.StartsWith('"'))
                {
                    var close = value.IndexOf('"', 1);
                    return close > 0 ? value[1..close] : null;
                }

                var end = value.IndexOf(',', StringComparison.Ordinal);
                return (end >= 0 ? value[..end] : value).Trim();
            }

            at += name.Length;
        }

        return null;
    }

    private static string Md5(string text) =>
#pragma warning disable CA5351 // RFC 2617 Digest is MD5 by definition; cameras offer nothing else.
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
}
