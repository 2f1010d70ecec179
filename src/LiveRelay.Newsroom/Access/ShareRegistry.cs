using System.Collections.Concurrent;
using LiveRelay.Newsroom.Model;

namespace LiveRelay.Newsroom.Access;

/// <summary>
/// The shares in memory, for the play check (no database read per play or per HLS request): loaded at
/// start, updated by every change made through the newsroom service.
/// </summary>
public sealed class ShareRegistry
{
    private readonly ConcurrentDictionary<string, Share> _shares = new(StringComparer.Ordinal);

    /// <summary>Raised with the share id when a share is revoked.</summary>
    public event Action<string>? Revoked;

    public void Load(IEnumerable<Share> shares)
    {
        foreach (var share in shares)
        {
            _shares[share.Id] = share;
        }
    }

    public void Set(Share share)
    {
        ArgumentNullException.ThrowIfNull(share);
        _shares[share.Id] = share;
        if (share.RevokedAt is not null)
        {
            Revoked?.Invoke(share.Id);
        }
    }

    /// <summary>The shares that grant access now.</summary>
    public IReadOnlyList<Share> Active(DateTimeOffset now) => [.. _shares.Values.Where(s => s.IsActive(now))];

    public bool IsActive(string shareId, DateTimeOffset now) => _shares.TryGetValue(shareId, out var share) && share.IsActive(now);
}
