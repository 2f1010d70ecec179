using System.Text.RegularExpressions;
using LiveRelay.Core.Streams;
using LiveRelay.Newsroom.Access;
using LiveRelay.Newsroom.Model;
using Microsoft.Extensions.Logging;

namespace LiveRelay.Newsroom.Rundowns;

/// <summary>
/// Feeds and their publish credentials: a published feed always has a key (made when none is given);
/// rotating makes a new one (the live session carries on; the old key stops working for the next
/// connect), revoking removes it and ends the live session; every change reaches <see cref="Keys"/> at once.
/// </summary>
public sealed partial class NewsroomService
{
    public async Task<NewsroomResult<Feed>> AddFeedAsync(NewFeed input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (Title(input.Name, "name") is { } error)
        {
            return NewsroomResult<Feed>.Fail(NewsroomError.Invalid, error);
        }

        if (!StreamPath.TryNormalize(input.Path ?? "", out var path, out var pathError))
        {
            return NewsroomResult<Feed>.Fail(NewsroomError.Invalid, $"path: {pathError}");
        }

        if (input.PullUrl is { Length: > 0 } url
            && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("rtmp" or "rtmps" or "srt" or "rtsp" or "rtsps" or "http" or "https")))
        {
            return NewsroomResult<Feed>.Fail(NewsroomError.Invalid, "pullUrl must be an absolute rtmp://, rtmps://, srt://, rtsp://, rtsps://, http:// or https:// URL");
        }

        if (KeyError(input.PublishKey) is { } keyError)
        {
            return NewsroomResult<Feed>.Fail(NewsroomError.Invalid, keyError);
        }

        if (PassphraseError(input.SrtPassphrase) is { } passphraseError)
        {
            return NewsroomResult<Feed>.Fail(NewsroomError.Invalid, passphraseError);
        }

        if (input.StationId is { } stationId && await _store.GetStationAsync(stationId).ConfigureAwait(false) is null)
        {
            return NewsroomResult<Feed>.Fail(NewsroomError.Invalid, $"station {stationId} does not exist");
        }

        var pullUrl = Empty(input.PullUrl);
        var key = Empty(input.PublishKey) ?? (pullUrl is null ? PublishKeys.NewKey() : null);
        var feed = new Feed(NewId(), input.StationId, input.Name!.Trim(), path, key, pullUrl, _time.GetUtcNow(), Empty(input.SrtPassphrase), input.Takeover ?? false);
        await _store.AddFeedAsync(feed).ConfigureAwait(false);
        Keys.Set(feed);
        return feed;
    }

    /// <summary>Changes a feed's name, SRT passphrase or takeover flag.</summary>
    public async Task<NewsroomResult<Feed>> UpdateFeedAsync(string id, FeedPatch patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        if (patch.Name is not null && Title(patch.Name, "name") is { } error)
        {
            return NewsroomResult<Feed>.Fail(NewsroomError.Invalid, error);
        }

        if (PassphraseError(patch.SrtPassphrase) is { } passphraseError)
        {
            return NewsroomResult<Feed>.Fail(NewsroomError.Invalid, passphraseError);
        }

        return await ChangeFeedAsync(id, feed => feed with
        {
            Name = patch.Name?.Trim() ?? feed.Name,
            SrtPassphrase = patch.SrtPassphrase is null ? feed.SrtPassphrase : Empty(patch.SrtPassphrase),
            Takeover = patch.Takeover ?? feed.Takeover,
        }).ConfigureAwait(false);
    }

    /// <summary>Gives the feed a new publish key (the given one, or a random one). The live session carries on.</summary>
    public async Task<NewsroomResult<Feed>> RotateKeyAsync(string id, KeyRotation? rotation)
    {
        if (KeyError(rotation?.PublishKey) is { } keyError)
        {
            return NewsroomResult<Feed>.Fail(NewsroomError.Invalid, keyError);
        }

        var result = await ChangeFeedAsync(id, feed => feed with { PublishKey = Empty(rotation?.PublishKey) ?? PublishKeys.NewKey() }).ConfigureAwait(false);
        if (result.Ok)
        {
            Log.KeyRotated(_logger, id, result.Value!.Path);
        }

        return result;
    }

    /// <summary>Removes the feed's publish key: nobody can publish it until a new key is made, and a live publisher is disconnected.</summary>
    public async Task<NewsroomResult<Feed>> RevokeKeyAsync(string id)
    {
        var result = await ChangeFeedAsync(id, feed => feed with { PublishKey = null }).ConfigureAwait(false);
        if (result.Ok)
        {
            var ended = _hub.Find(result.Value!.Path)?.EvictPublisher("the feed's publish key was revoked") == true;
            Log.KeyRevoked(_logger, id, result.Value.Path, ended);
        }

        return result;
    }

    /// <summary>Deletes a feed; a live publisher that used its key is disconnected.</summary>
    public async Task<NewsroomResult<Feed>> DeleteFeedAsync(string id)
    {
        if (await _store.GetFeedAsync(id).ConfigureAwait(false) is not { } feed || !await _store.DeleteFeedAsync(id).ConfigureAwait(false))
        {
            return NewsroomResult<Feed>.Fail(NewsroomError.NotFound, $"feed {id} does not exist");
        }

        Keys.Remove(id);
        if (feed.PullUrl is null && !Keys.Claims(feed.Path))
        {
            _hub.Find(feed.Path)?.EvictPublisher("the feed was deleted");
        }

        return feed;
    }

    private async Task<NewsroomResult<Feed>> ChangeFeedAsync(string id, Func<Feed, Feed> change)
    {
        if (await _store.GetFeedAsync(id).ConfigureAwait(false) is not { } feed)
        {
            return NewsroomResult<Feed>.Fail(NewsroomError.NotFound, $"feed {id} does not exist");
        }

        var changed = change(feed);
        if (feed.PullUrl is not null && changed.PublishKey is not null)
        {
            return NewsroomResult<Feed>.Fail(NewsroomError.Invalid, $"feed {id} is pulled from a URL; it has no publishers and no key");
        }

        if (!await _store.UpdateFeedAsync(changed).ConfigureAwait(false))
        {
            return NewsroomResult<Feed>.Fail(NewsroomError.NotFound, $"feed {id} does not exist");
        }

        Keys.Set(changed);
        return changed;
    }

    private static string? KeyError(string? key) =>
        string.IsNullOrWhiteSpace(key) || PublishKeyText().IsMatch(key.Trim())
            ? null
            : "publishKey must be 8–128 characters of A–Z, a–z, 0–9, '-', '_', '.' and '~' (it travels in URLs and SRT streamids)";

    private static string? PassphraseError(string? passphrase) =>
        string.IsNullOrEmpty(passphrase) || passphrase.Length is >= 10 and <= 79
            ? null
            : "srtPassphrase must be 10–79 characters (SRT's limits)";

    [GeneratedRegex("^[A-Za-z0-9._~-]{8,128}$")]
    private static partial Regex PublishKeyText();

    private static partial class Log
    {
        [LoggerMessage(2341, LogLevel.Warning, "Feed {FeedId} ({StreamPath}): publish key rotated; the old key no longer publishes")]
        public static partial void KeyRotated(ILogger logger, string feedId, string streamPath);

        [LoggerMessage(2342, LogLevel.Warning, "Feed {FeedId} ({StreamPath}): publish key revoked; live publisher disconnected: {Disconnected}")]
        public static partial void KeyRevoked(ILogger logger, string feedId, string streamPath, bool disconnected);
    }
}
