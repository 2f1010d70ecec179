using System.Data.Common;
using Npgsql;

namespace LiveRelay.Newsroom.Storage;

/// <summary>The store on PostgreSQL (Npgsql), for several nodes sharing one database.</summary>
public sealed class PostgresNewsroomStore : SqlNewsroomStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresNewsroomStore(string connectionString) => _dataSource = NpgsqlDataSource.Create(connectionString);

    // One migration at a time across nodes: a transaction-scoped advisory lock (key: "LiveRelay" in ASCII).
    protected override string? MigrationLockSql => "SELECT pg_advisory_xact_lock(76105118101082101)";

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override void ResetConnections() => _dataSource.Clear();

    protected override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
