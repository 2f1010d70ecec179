using System.Security.Cryptography;
using System.Text;

namespace LiveRelay.Server.Newsroom;

/// <summary>
/// The admin API token and the play-token key, settled at start-up (from configuration, or generated
/// once and kept in the database) by <see cref="NewsroomStartup"/> before any listener opens.
/// </summary>
public sealed class NewsroomSecrets
{
    private byte[]? _adminToken;
    private byte[]? _tokenKey;

    /// <summary>Key bytes for <see cref="LiveRelay.Newsroom.Access.PlayTokens"/>.</summary>
    public byte[] TokenKey => _tokenKey ?? throw new InvalidOperationException("The newsroom has not started.");

    internal void Set(string adminToken, byte[] tokenKey)
    {
        _adminToken = Encoding.UTF8.GetBytes(adminToken);
        _tokenKey = tokenKey;
    }

    /// <summary>True when <paramref name="token"/> is the admin token (compared in constant time).</summary>
    public bool IsAdmin(ReadOnlySpan<char> token)
    {
        if (_adminToken is null || token.IsEmpty || token.Length > 1024)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(token.Length)];
        var length = Encoding.UTF8.GetBytes(token, bytes);
        return CryptographicOperations.FixedTimeEquals(bytes[..length], _adminToken);
    }
}
