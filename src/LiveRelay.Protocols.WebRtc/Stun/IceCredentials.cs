using System.Security.Cryptography;

namespace LiveRelay.Protocols.WebRtc.Stun;

/// <summary>ICE credentials (RFC 8445 §5.3, RFC 8839 §5.4): random ufrag and password from the ice-char set.</summary>
public static class IceCredentials
{
    /// <summary>ice-char = ALPHA / DIGIT / "+" / "/".</summary>
    public const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary>8 ice-chars: 48 bits, over the 24 bits RFC 8445 asks of a ufrag.</summary>
    public static string NewUfrag() => RandomNumberGenerator.GetString(IceChars, 8);

    /// <summary>24 ice-chars: 144 bits, over the 128 bits RFC 8445 asks of a password.</summary>
    public static string NewPassword() => RandomNumberGenerator.GetString(IceChars, 24);

    /// <summary>
    /// Splits a connectivity-check USERNAME, "receiverUfrag:senderUfrag" (RFC 8445 §7.2.2): on a check
    /// we receive, <paramref name="local"/> is our ufrag and <paramref name="remote"/> the peer's.
    /// False (with both outs empty) unless there is exactly one colon with something on each side.
    /// </summary>
    public static bool TrySplitUsername(string username, out string local, out string remote)
    {
        local = "";
        remote = "";
        if (string.IsNullOrEmpty(username))
        {
            return false;
        }

        var colon = username.IndexOf(':');
        if (colon <= 0 || colon == username.Length - 1 || username.IndexOf(':', colon + 1) >= 0)
        {
            return false;
        }

        local = username[..colon];
        remote = username[(colon + 1)..];
        return true;
    }
}
