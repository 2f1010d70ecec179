using LiveRelay.Newsroom.Storage;
using LiveRelay.Newsroom.Tests.TestSupport;
using Microsoft.Data.Sqlite;

namespace LiveRelay.Newsroom.Tests.Storage;

/// <summary>The store contract on SQLite: a new database file per test.</summary>
public sealed class SqliteNewsroomStoreTests : NewsroomStoreTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    protected override Task<SqlNewsroomStore> CreateStoreAsync() =>
        Task.FromResult<SqlNewsroomStore>(new SqliteNewsroomStore(_directory.File("newsroom.db")));

    protected override Task DisposeStoreAsync(SqlNewsroomStore store)
    {
        SqliteConnection.ClearAllPools();
        return Task.CompletedTask;
    }

    protected override async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _directory.File("newsroom.db"), Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
