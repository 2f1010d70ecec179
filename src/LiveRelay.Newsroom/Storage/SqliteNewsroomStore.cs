using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace LiveRelay.Newsroom.Storage;

/// <summary>The default store: one SQLite file (WAL journal, foreign keys on, 5 s busy timeout).</summary>
public sealed class SqliteNewsroomStore(string path) : SqlNewsroomStore
{
    // SQLITE_CONSTRAINT_UNIQUE / SQLITE_CONSTRAINT_PRIMARYKEY extended codes.
    private const int ConstraintUnique = 2067;
    private const int ConstraintPrimaryKey = 1555;

    private readonly string _connectionString = new SqliteConnectionStringBuilder
    {
        DataSource = path,
        ForeignKeys = true,
        DefaultTimeout = 5,
        Pooling = true,
    }.ToString();

    private int _walSet;

    /// <summary>The database file.</summary>
    public string Path { get; } = path;

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _walSet, 1) == 0)
        {
            // Persistent in the file: readers do not block the writer.
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return connection;
    }

    protected override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: ConstraintUnique or ConstraintPrimaryKey };
}
