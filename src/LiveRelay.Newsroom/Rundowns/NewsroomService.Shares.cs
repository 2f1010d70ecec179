using LiveRelay.Newsroom.Access;
using LiveRelay.Newsroom.Model;

namespace LiveRelay.Newsroom.Rundowns;

public sealed partial class NewsroomService
{
    public async Task<NewsroomResult<Share>> ShareAsync(NewShare input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Kind is not { } kind || string.IsNullOrWhiteSpace(input.TargetId) || string.IsNullOrWhiteSpace(input.StationId))
        {
            return NewsroomResult<Share>.Fail(NewsroomError.Invalid, "kind (\"rundown\" or \"feed\"), targetId and stationId are required");
        }

        var now = _time.GetUtcNow();
        if (input.ExpiresAt is { } expires && expires <= now)
        {
            return NewsroomResult<Share>.Fail(NewsroomError.Invalid, "expiresAt is in the past");
        }

        var exists = kind == ShareKind.Rundown
            ? await _store.GetRundownAsync(input.TargetId).ConfigureAwait(false) is not null
            : await _store.GetFeedAsync(input.TargetId).ConfigureAwait(false) is not null;
        if (!exists)
        {
            return NewsroomResult<Share>.Fail(NewsroomError.Invalid, $"{kind.ToString().ToLowerInvariant()} {input.TargetId} does not exist");
        }

        if (await _store.GetStationAsync(input.StationId).ConfigureAwait(false) is null)
        {
            return NewsroomResult<Share>.Fail(NewsroomError.Invalid, $"station {input.StationId} does not exist");
        }

        var share = new Share(NewId(), kind, input.TargetId, input.StationId, input.ExpiresAt, null, now);
        await _store.AddShareAsync(share).ConfigureAwait(false);
        _shares.Set(share);
        return share;
    }

    /// <summary>Revokes a share: its links stop working and its pulls in progress end.</summary>
    public async Task<NewsroomResult<Share>> RevokeShareAsync(string id)
    {
        var now = _time.GetUtcNow();
        if (!await _store.RevokeShareAsync(id, now).ConfigureAwait(false))
        {
            return await _store.GetShareAsync(id).ConfigureAwait(false) is { } already
                ? NewsroomResult<Share>.Fail(NewsroomError.Conflict, $"share {id} was revoked at {already.RevokedAt:u}")
                : NewsroomResult<Share>.Fail(NewsroomError.NotFound, $"share {id} does not exist");
        }

        var share = (await _store.GetShareAsync(id).ConfigureAwait(false))!;
        _shares.Set(share);
        return share;
    }

    /// <summary>
    /// The pull links of a share for its partner: the program output and every item feed of a shared
    /// rundown (or the shared feed), each with a token bound to the station and the stream.
    /// </summary>
    public async Task<NewsroomResult<ShareLinks>> GetLinksAsync(string shareId, LinkBases bases)
    {
        ArgumentNullException.ThrowIfNull(bases);
        var share = await _store.GetShareAsync(shareId).ConfigureAwait(false);
        if (share is null)
        {
            return NewsroomResult<ShareLinks>.Fail(NewsroomError.NotFound, $"share {shareId} does not exist");
        }

        var now = _time.GetUtcNow();
        if (!share.IsActive(now))
        {
            return NewsroomResult<ShareLinks>.Fail(NewsroomError.Conflict, $"share {shareId} is revoked or expired");
        }

        var expires = now + LinkLifetime;
        if (share.ExpiresAt is { } shareEnd && shareEnd < expires)
        {
            expires = shareEnd;
        }

        if (share.Kind == ShareKind.Feed)
        {
            var feed = await _store.GetFeedAsync(share.TargetId).ConfigureAwait(false);
            return feed is null
                ? NewsroomResult<ShareLinks>.Fail(NewsroomError.NotFound, $"feed {share.TargetId} no longer exists")
                : new ShareLinks(share.Id, share.StationId, null, [Links(feed.Name, feed.Path, share, expires, bases)]);
        }

        var rundown = await _store.GetRundownAsync(share.TargetId).ConfigureAwait(false);
        if (rundown is null)
        {
            return NewsroomResult<ShareLinks>.Fail(NewsroomError.NotFound, $"rundown {share.TargetId} no longer exists");
        }

        var feeds = rundown.Items
            .Where(i => i.Source is not null)
            .DistinctBy(i => i.Source, StringComparer.Ordinal)
            .Select(i => Links(i.Title, i.Source!, share, expires, bases))
            .ToList();
        return new ShareLinks(share.Id, share.StationId, Links($"Program: {rundown.Title}", rundown.ProgramPath, share, expires, bases), feeds);
    }

    private PullLinks Links(string title, string path, Share share, DateTimeOffset expires, LinkBases bases)
    {
        var token = _tokens.Issue(new PlayTokenClaims(share.StationId, path, share.Id, expires));
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return new PullLinks(
            title,
            path,
            $"{bases.Http}/{path}/index.m3u8?token={token}",
            $"{bases.Http}/{path}.flv?token={token}",
            $"{bases.Rtmp}/{path[..slash]}/{path[(slash + 1)..]}?token={token}",
            bases.Srt is null ? null : $"{bases.Srt}?streamid=read:{path}?token={token}",
            expires,
            $"{bases.Http}/whep/{path}?token={token}");
    }
}
