using System.Data.Common;
using Dapper;
using LiveRelay.Newsroom.Model;

namespace LiveRelay.Newsroom.Storage;

/// <summary>
/// The store in SQL that SQLite and PostgreSQL both run (Dapper over ADO.NET). Subclasses only open
/// connections and say how to serialize migrations between nodes.
/// </summary>
public abstract partial class SqlNewsroomStore : INewsroomStore
{
    static SqlNewsroomStore() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    /// <summary>Opens a connection ready for use.</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Drops pooled connections after the database failed (a restarted server leaves every idle one
    /// broken), so the next call opens a fresh connection instead of failing once more.
    /// </summary>
    public virtual void ResetConnections()
    {
    }

    /// <summary>SQL run first in the migration transaction to keep two nodes from migrating at once, or null.</summary>
    protected virtual string? MigrationLockSql => null;

    /// <summary>True when an exception means a unique constraint was violated.</summary>
    protected abstract bool IsUniqueViolation(DbException exception);

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (MigrationLockSql is { } lockSql)
        {
            await connection.ExecuteAsync(lockSql, transaction: transaction).ConfigureAwait(false);
        }

        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
            transaction: transaction).ConfigureAwait(false);
        var current = await connection.ExecuteScalarAsync<long?>("SELECT MAX(version) FROM schema_migrations", transaction: transaction).ConfigureAwait(false) ?? 0;
        for (var version = (int)current + 1; version <= Schema.Migrations.Count; version++)
        {
            await connection.ExecuteAsync(Schema.Migrations[version - 1], transaction: transaction).ConfigureAwait(false);
            await connection.ExecuteAsync(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @at)",
                new { version = (long)version, at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
                transaction).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> AddStationAsync(Station station, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(
                "INSERT INTO stations (id, name, code, created_at) VALUES (@Id, @Name, @Code, @CreatedAt)",
                new { station.Id, station.Name, station.Code, CreatedAt = Ms(station.CreatedAt) }).ConfigureAwait(false);
            return true;
        }
        catch (DbException ex) when (IsUniqueViolation(ex))
        {
            return false;
        }
    }

    public async Task<Station?> GetStationAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<StationRow>("SELECT * FROM stations WHERE id = @id", new { id }).ConfigureAwait(false);
        return row?.ToModel();
    }

    public async Task<IReadOnlyList<Station>> ListStationsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<StationRow>("SELECT * FROM stations ORDER BY name, id").ConfigureAwait(false);
        return [.. rows.Select(r => r.ToModel())];
    }

    public async Task<bool> DeleteStationAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync("DELETE FROM stations WHERE id = @id", new { id }).ConfigureAwait(false) > 0;
    }

    public async Task AddFeedAsync(Feed feed, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO feeds (id, station_id, name, path, publish_key, pull_url, created_at, srt_passphrase, takeover) VALUES (@Id, @StationId, @Name, @Path, @PublishKey, @PullUrl, @CreatedAt, @SrtPassphrase, @Takeover)",
            new { feed.Id, feed.StationId, feed.Name, feed.Path, feed.PublishKey, feed.PullUrl, CreatedAt = Ms(feed.CreatedAt), feed.SrtPassphrase, Takeover = feed.Takeover ? 1L : 0L }).ConfigureAwait(false);
    }

    public async Task<bool> UpdateFeedAsync(Feed feed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(feed);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(
            "UPDATE feeds SET name = @Name, publish_key = @PublishKey, srt_passphrase = @SrtPassphrase, takeover = @Takeover WHERE id = @Id",
            new { feed.Id, feed.Name, feed.PublishKey, feed.SrtPassphrase, Takeover = feed.Takeover ? 1L : 0L }).ConfigureAwait(false) > 0;
    }

    public async Task<Feed?> GetFeedAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<FeedRow>("SELECT * FROM feeds WHERE id = @id", new { id }).ConfigureAwait(false);
        return row?.ToModel();
    }

    public async Task<IReadOnlyList<Feed>> ListFeedsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<FeedRow>("SELECT * FROM feeds ORDER BY name, id").ConfigureAwait(false);
        return [.. rows.Select(r => r.ToModel())];
    }

    public async Task<bool> DeleteFeedAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync("DELETE FROM feeds WHERE id = @id", new { id }).ConfigureAwait(false) > 0;
    }

    public async Task AddShareAsync(Share share, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "INSERT INTO shares (id, kind, target_id, station_id, expires_at, revoked_at, created_at) VALUES (@Id, @Kind, @TargetId, @StationId, @ExpiresAt, @RevokedAt, @CreatedAt)",
            new
            {
                share.Id,
                Kind = share.Kind.ToString(),
                share.TargetId,
                share.StationId,
                ExpiresAt = Ms(share.ExpiresAt),
                RevokedAt = Ms(share.RevokedAt),
                CreatedAt = Ms(share.CreatedAt),
            }).ConfigureAwait(false);
    }

    public async Task<Share?> GetShareAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<ShareRow>("SELECT * FROM shares WHERE id = @id", new { id }).ConfigureAwait(false);
        return row?.ToModel();
    }

    public async Task<IReadOnlyList<Share>> ListSharesAsync(string? targetId = null, string? stationId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ShareRow>(
            "SELECT * FROM shares WHERE (@targetId IS NULL OR target_id = @targetId) AND (@stationId IS NULL OR station_id = @stationId) ORDER BY created_at, id",
            new { targetId, stationId }).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToModel())];
    }

    public async Task<bool> RevokeShareAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(
            "UPDATE shares SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL",
            new { id, at = Ms(at) }).ConfigureAwait(false) > 0;
    }

    public async Task AddPullAsync(PullRecord pull, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            INSERT INTO pulls (id, station_id, share_id, stream_path, protocol, remote_address, started_at, ended_at, bytes, refusal)
            VALUES (@Id, @StationId, @ShareId, @StreamPath, @Protocol, @RemoteAddress, @StartedAt, @EndedAt, @Bytes, @Refusal)
            """,
            new
            {
                pull.Id,
                pull.StationId,
                pull.ShareId,
                pull.StreamPath,
                pull.Protocol,
                pull.RemoteAddress,
                StartedAt = Ms(pull.StartedAt),
                EndedAt = Ms(pull.EndedAt),
                pull.Bytes,
                pull.Refusal,
            }).ConfigureAwait(false);
    }

    public async Task EndPullAsync(string id, DateTimeOffset endedAt, long bytes, string? refusal, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            "UPDATE pulls SET ended_at = @endedAt, bytes = @bytes, refusal = COALESCE(@refusal, refusal) WHERE id = @id",
            new { id, endedAt = Ms(endedAt), bytes, refusal }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<PullRecord>> ListPullsAsync(PullQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<PullRow>(
            """
            SELECT * FROM pulls
            WHERE (@stationId IS NULL OR station_id = @stationId)
              AND (@streamPath IS NULL OR stream_path = @streamPath)
              AND (@since IS NULL OR started_at >= @since)
            ORDER BY started_at DESC, id
            LIMIT @limit
            """,
            new { stationId = query.StationId, streamPath = query.StreamPath, since = Ms(query.Since), limit = (long)Math.Clamp(query.Limit, 1, 10_000) }).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToModel())];
    }

    public async Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<string?>("SELECT value FROM settings WHERE key = @key", new { key }).ConfigureAwait(false);
    }

    public async Task<string> GetOrAddSettingAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO NOTHING", new { key, value }).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<string>("SELECT value FROM settings WHERE key = @key", new { key }).ConfigureAwait(false) ?? value;
    }

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static long? Ms(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? Time(long? ms) => ms is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;
}
