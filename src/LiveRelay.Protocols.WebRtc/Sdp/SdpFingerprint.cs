using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace LiveRelay.Protocols.WebRtc.Sdp;

/// <summary>
/// An <c>a=fingerprint</c> value (RFC 8122 §5): a hash function name and the certificate hash as
/// upper-case hex bytes joined by colons, e.g. <c>sha-256 AB:CD:…</c>.
/// </summary>
/// <param name="Algorithm">The hash function, lower-case (<c>sha-256</c>).</param>
/// <param name="Value">The hash, upper-case hex pairs joined by colons.</param>
public sealed record SdpFingerprint(string Algorithm, string Value)
{
    private const int MaxBytes = 64;

    /// <summary>Parses <c>&lt;algorithm&gt; &lt;XX:XX:…&gt;</c>; for sha-1/224/256/384/512 the byte count must match the hash.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SdpFingerprint? fingerprint)
    {
        fingerprint = null;
        var parts = text?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts is not { Length: 2 })
        {
            return false;
        }

        var algorithm = parts[0].ToLowerInvariant();
        var bytes = parts[1].Split(':');
        var expected = algorithm switch
        {
            "sha-1" => 20,
            "sha-224" => 28,
            "sha-256" => 32,
            "sha-384" => 48,
            "sha-512" => 64,
            _ => 0,
        };
        if (bytes.Length > MaxBytes || (expected != 0 && bytes.Length != expected)
            || !bytes.All(b => b.Length == 2 && byte.TryParse(b, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _)))
        {
            return false;
        }

        fingerprint = new SdpFingerprint(algorithm, parts[1].ToUpperInvariant());
        return true;
    }

    /// <summary>The hash bytes.</summary>
    public byte[] GetBytes() => Value.Split(':').Select(b => byte.Parse(b, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>As written in SDP: <c>sha-256 AB:CD:…</c>.</summary>
    public override string ToString() => $"{Algorithm} {Value}";
}
