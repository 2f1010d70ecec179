using LiveRelay.Newsroom.Storage;
using Npgsql;

namespace LiveRelay.Newsroom.Tests.Storage;

/// <summary>The store contract on a real PostgreSQL server: a new schema per test.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresNewsroomStoreTests(PostgresServer server) : NewsroomStoreTests
{
    private string _connectionString = "";

    protected override async Task<SqlNewsroomStore> CreateStoreAsync()
    {
        _connectionString = await server.CreateSchemaAsync();
        return new PostgresNewsroomStore(_connectionString);
    }

    protected override async Task DisposeStoreAsync(SqlNewsroomStore store) => await ((PostgresNewsroomStore)store).DisposeAsync();

    protected override async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
