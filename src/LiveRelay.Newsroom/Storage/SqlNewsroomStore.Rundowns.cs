using System.Data.Common;
using Dapper;
using LiveRelay.Newsroom.Model;

namespace LiveRelay.Newsroom.Storage;

public abstract partial class SqlNewsroomStore
{
    private const string InsertItemSql =
        """
        INSERT INTO rundown_items (id, rundown_id, position, title, source, feed_id, planned_duration_seconds, notes, state)
        VALUES (@Id, @RundownId, @Position, @Title, @Source, @FeedId, @PlannedDurationSeconds, @Notes, @State)
        """;

    public async Task AddRundownAsync(Rundown rundown, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rundown);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            INSERT INTO rundowns (id, station_id, title, planned_start, fallback, fallback_source, return_when_back, on_air_item_id, preview_item_id, version, created_at, updated_at)
            VALUES (@Id, @StationId, @Title, @PlannedStart, @Fallback, @FallbackSource, @ReturnWhenBack, @OnAirItemId, @PreviewItemId, @Version, @CreatedAt, @UpdatedAt)
            """,
            RundownParameters(rundown, rundown.Version),
            transaction).ConfigureAwait(false);
        await InsertItemsAsync(connection, transaction, rundown).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<Rundown?> GetRundownAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<RundownRow>("SELECT * FROM rundowns WHERE id = @id", new { id }).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var items = await connection.QueryAsync<ItemRow>("SELECT * FROM rundown_items WHERE rundown_id = @id ORDER BY position", new { id }).ConfigureAwait(false);
        return row.ToModel([.. items.Select(i => i.ToModel())]);
    }

    public async Task<IReadOnlyList<Rundown>> ListRundownsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<RundownRow>("SELECT * FROM rundowns ORDER BY created_at, id").ConfigureAwait(false);
        var items = (await connection.QueryAsync<ItemRow>("SELECT * FROM rundown_items ORDER BY rundown_id, position").ConfigureAwait(false))
            .GroupBy(i => i.RundownId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<RundownItem>)[.. g.Select(i => i.ToModel())], StringComparer.Ordinal);
        return [.. rows.Select(r => r.ToModel(items.GetValueOrDefault(r.Id, [])))];
    }

    public async Task<bool> SaveRundownAsync(Rundown rundown, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rundown);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var updated = await connection.ExecuteAsync(
            """
            UPDATE rundowns SET title = @Title, station_id = @StationId, planned_start = @PlannedStart, fallback = @Fallback,
                fallback_source = @FallbackSource, return_when_back = @ReturnWhenBack, on_air_item_id = @OnAirItemId,
                preview_item_id = @PreviewItemId, version = @Version, updated_at = @UpdatedAt
            WHERE id = @Id AND version = @ExpectedVersion
            """,
            RundownParameters(rundown, expectedVersion + 1, expectedVersion),
            transaction).ConfigureAwait(false);
        if (updated == 0)
        {
            return false;
        }

        await connection.ExecuteAsync("DELETE FROM rundown_items WHERE rundown_id = @Id", new { rundown.Id }, transaction).ConfigureAwait(false);
        await InsertItemsAsync(connection, transaction, rundown).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<bool> DeleteRundownAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("DELETE FROM rundown_items WHERE rundown_id = @id", new { id }, transaction).ConfigureAwait(false);
        var deleted = await connection.ExecuteAsync("DELETE FROM rundowns WHERE id = @id", new { id }, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted > 0;
    }

    private static async Task InsertItemsAsync(DbConnection connection, DbTransaction transaction, Rundown rundown)
    {
        for (var i = 0; i < rundown.Items.Count; i++)
        {
            var item = rundown.Items[i];
            await connection.ExecuteAsync(
                InsertItemSql,
                new
                {
                    item.Id,
                    RundownId = rundown.Id,
                    Position = (long)i,
                    item.Title,
                    item.Source,
                    item.FeedId,
                    PlannedDurationSeconds = (long?)item.PlannedDurationSeconds,
                    item.Notes,
                    State = item.State.ToString(),
                },
                transaction).ConfigureAwait(false);
        }
    }

    private static object RundownParameters(Rundown rundown, long version, long expectedVersion = 0) => new
    {
        rundown.Id,
        rundown.StationId,
        rundown.Title,
        PlannedStart = Ms(rundown.PlannedStart),
        Fallback = rundown.Fallback.ToString(),
        rundown.FallbackSource,
        ReturnWhenBack = rundown.ReturnWhenBack ? 1L : 0L,
        rundown.OnAirItemId,
        rundown.PreviewItemId,
        Version = version,
        ExpectedVersion = expectedVersion,
        CreatedAt = Ms(rundown.CreatedAt),
        UpdatedAt = Ms(rundown.UpdatedAt),
    };
}
