using System.Data.Common;
using Dapper;
using LiveRelay.Newsroom.Model;

namespace LiveRelay.Newsroom.Storage;

public abstract partial class SqlNewsroomStore
{
    public async Task<bool> SavePullSourceAsync(PullDefinition pull, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pull);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO pull_sources (id, path, url, transport, on_demand, idle_seconds, created_at)
                VALUES (@Id, @Path, @Url, @Transport, @OnDemand, @IdleSeconds, @CreatedAt)
                ON CONFLICT (id) DO UPDATE SET path = excluded.path, url = excluded.url, transport = excluded.transport,
                    on_demand = excluded.on_demand, idle_seconds = excluded.idle_seconds
                """,
                new { pull.Id, pull.Path, pull.Url, pull.Transport, OnDemand = pull.OnDemand ? 1L : 0L, IdleSeconds = (long)pull.IdleSeconds, CreatedAt = Ms(pull.CreatedAt) })
                .ConfigureAwait(false);
            return true;
        }
        catch (DbException ex) when (IsUniqueViolation(ex))
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<PullDefinition>> ListPullSourcesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<PullSourceRow>("SELECT * FROM pull_sources ORDER BY created_at, id").ConfigureAwait(false);
        return [.. rows.Select(r => r.ToModel())];
    }

    public async Task<bool> DeletePullSourceAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync("DELETE FROM pull_sources WHERE id = @id", new { id }).ConfigureAwait(false) > 0;
    }

    public async Task SaveRelayTargetAsync(RelayDefinition relay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(relay);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(
            """
            INSERT INTO relay_targets (id, source, url, created_at) VALUES (@Id, @Source, @Url, @CreatedAt)
            ON CONFLICT (id) DO UPDATE SET source = excluded.source, url = excluded.url
            """,
            new { relay.Id, relay.Source, relay.Url, CreatedAt = Ms(relay.CreatedAt) }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RelayDefinition>> ListRelayTargetsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<RelayTargetRow>("SELECT * FROM relay_targets ORDER BY created_at, id").ConfigureAwait(false);
        return [.. rows.Select(r => new RelayDefinition(r.Id, r.Source, r.Url, Time(r.CreatedAt)))];
    }

    public async Task<bool> DeleteRelayTargetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync("DELETE FROM relay_targets WHERE id = @id", new { id }).ConfigureAwait(false) > 0;
    }

    private sealed class PullSourceRow
    {
        public string Id { get; set; } = "";
        public string Path { get; set; } = "";
        public string Url { get; set; } = "";
        public string Transport { get; set; } = "";
        public long OnDemand { get; set; }
        public long IdleSeconds { get; set; }
        public long CreatedAt { get; set; }

        public PullDefinition ToModel() => new(Id, Path, Url, Transport, OnDemand != 0, (int)IdleSeconds, Time(CreatedAt));
    }

    private sealed class RelayTargetRow
    {
        public string Id { get; set; } = "";
        public string Source { get; set; } = "";
        public string Url { get; set; } = "";
        public long CreatedAt { get; set; }
    }
}
