using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using LiveRelay.Newsroom.Model;

namespace LiveRelay.Newsroom.Access;

/// <summary>
/// The publish keys of every feed, by path, as one immutable snapshot swapped whole when a feed changes
/// (so a check never takes a lock or touches the store). Keys are compared as SHA-256 digests with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>: the time a check takes says nothing about
/// how much of a guess was right, nor how long the real key is.
/// </summary>
public sealed class PublishKeys
{
    private volatile FrozenDictionary<string, FeedKey[]> _byPath = FrozenDictionary<string, FeedKey[]>.Empty;
    private volatile FrozenDictionary<string, Feed> _byDigest = FrozenDictionary<string, Feed>.Empty;
    private readonly object _write = new();
    private Dictionary<string, Feed> _feeds = new(StringComparer.Ordinal);

    /// <summary>Replaces everything (at start, from the store).</summary>
    public void Load(IEnumerable<Feed> feeds)
    {
        lock (_write)
        {
            _feeds = feeds.Where(f => f.PullUrl is null).ToDictionary(f => f.Id, StringComparer.Ordinal);
            Rebuild();
        }
    }

    /// <summary>Adds or replaces one feed (a pulled feed has no publishers and is left out).</summary>
    public void Set(Feed feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        lock (_write)
        {
            if (feed.PullUrl is null)
            {
                _feeds[feed.Id] = feed;
            }
            else
            {
                _feeds.Remove(feed.Id);
            }

            Rebuild();
        }
    }

    /// <summary>Forgets a deleted feed.</summary>
    public void Remove(string feedId)
    {
        lock (_write)
        {
            if (_feeds.Remove(feedId))
            {
                Rebuild();
            }
        }
    }

    /// <summary>True when some feed claims <paramref name="path"/> (then only its key publishes there).</summary>
    public bool Claims(string path) => _byPath.ContainsKey(path);

    /// <summary>Checks a presented key against the feeds at <paramref name="path"/>.</summary>
    public KeyCheck Check(string path, string? key)
    {
        if (!_byPath.TryGetValue(path, out var feeds))
        {
            return new KeyCheck(KeyResult.NoFeed, null);
        }

        if (feeds.All(f => f.Digest is null))
        {
            return new KeyCheck(KeyResult.Revoked, feeds[0].Feed);
        }

        if (string.IsNullOrEmpty(key))
        {
            return new KeyCheck(KeyResult.Missing, feeds[0].Feed);
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Digest(key, digest);
        Feed? match = null;
        foreach (var feed in feeds)
        {
            // Every feed of the path is compared, matched or not, so the time is the same either way.
            if (feed.Digest is { } expected && CryptographicOperations.FixedTimeEquals(expected, digest))
            {
                match ??= feed.Feed;
            }
        }

        return match is null ? new KeyCheck(KeyResult.Wrong, feeds[0].Feed) : new KeyCheck(KeyResult.Valid, match);
    }

    /// <summary>
    /// The feed whose key is <paramref name="key"/>, for encoders that send only the key as the stream
    /// name (OBS Server <c>rtmp://HOST/live</c> + Stream Key <c>KEY</c>). Looked up by the key's SHA-256
    /// digest, so the lookup's timing says nothing about the keys.
    /// </summary>
    public Feed? FeedOfKey(string key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 256)
        {
            return null;
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Digest(key, digest);
        return _byDigest.GetValueOrDefault(Convert.ToHexString(digest));
    }

    /// <summary>A new random key: 128 bits as 32 lower-case hex digits (pastes anywhere: OBS, Larix, URLs, streamids).</summary>
    public static string NewKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private void Rebuild()
    {
        _byPath = _feeds.Values
            .GroupBy(f => f.Path, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.OrderBy(f => f.CreatedAt).Select(f => new FeedKey(f, f.PublishKey is { } k ? Digest(k) : null)).ToArray(), StringComparer.Ordinal);
        _byDigest = _feeds.Values
            .Where(f => f.PublishKey is not null)
            .GroupBy(f => Convert.ToHexString(Digest(f.PublishKey!)), StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.OrderBy(f => f.CreatedAt).First(), StringComparer.Ordinal);
    }

    private static byte[] Digest(string key)
    {
        var digest = new byte[SHA256.HashSizeInBytes];
        Digest(key, digest);
        return digest;
    }

    private static void Digest(string key, Span<byte> destination)
    {
        var bytes = Encoding.UTF8.GetByteCount(key) <= 256 ? stackalloc byte[256] : new byte[Encoding.UTF8.GetByteCount(key)];
        var length = Encoding.UTF8.GetBytes(key, bytes);
        SHA256.HashData(bytes[..length], destination);
    }

    private sealed record FeedKey(Feed Feed, byte[]? Digest);
}

/// <summary>How a presented publish key fared.</summary>
public enum KeyResult
{
    /// <summary>No feed claims the path.</summary>
    NoFeed,

    /// <summary>The key is one of the path's feeds' keys.</summary>
    Valid,

    /// <summary>The publisher presented no key.</summary>
    Missing,

    /// <summary>The key is not the feed's.</summary>
    Wrong,

    /// <summary>The feed's key was revoked and no new one was made.</summary>
    Revoked,
}

/// <summary>The result and the feed it concerns (the matching one when valid).</summary>
public readonly record struct KeyCheck(KeyResult Result, Feed? Feed);
