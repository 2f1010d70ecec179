using System.Data.Common;
using Dapper;
using LiveRelay.Newsroom.Model;

namespace LiveRelay.Newsroom.Storage;

public abstract partial class SqlNewsroomStore
{
    public async Task<bool> AddUserAsync(User user, string passwordHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO users (id, station_id, username, display_name, role, password_hash, created_at)
                VALUES (@Id, @StationId, @Username, @DisplayName, @Role, @PasswordHash, @CreatedAt)
                """,
                new { user.Id, user.StationId, user.Username, user.DisplayName, Role = user.Role.ToString(), PasswordHash = passwordHash, CreatedAt = Ms(user.CreatedAt) })
                .ConfigureAwait(false);
            return true;
        }
        catch (DbException ex) when (IsUniqueViolation(ex))
        {
            return false;
        }
    }

    public async Task<User?> GetUserAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>("SELECT * FROM users WHERE id = @id", new { id }).ConfigureAwait(false);
        return row?.ToModel();
    }

    public async Task<(User User, string PasswordHash)?> FindUserAsync(string username, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>("SELECT * FROM users WHERE username = @username", new { username }).ConfigureAwait(false);
        return row is null ? null : (row.ToModel(), row.PasswordHash);
    }

    public async Task<IReadOnlyList<User>> ListUsersAsync(string? stationId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<UserRow>(
            "SELECT * FROM users WHERE (@stationId IS NULL OR station_id = @stationId) ORDER BY username",
            new { stationId }).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToModel())];
    }

    public async Task<bool> DeleteUserAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync("DELETE FROM users WHERE id = @id", new { id }).ConfigureAwait(false) > 0;
    }

    public async Task<bool> SetPasswordHashAsync(string id, string passwordHash, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync("UPDATE users SET password_hash = @passwordHash WHERE id = @id", new { id, passwordHash }).ConfigureAwait(false) > 0;
    }

    private sealed class UserRow
    {
        public string Id { get; set; } = "";
        public string? StationId { get; set; }
        public string Username { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public string Role { get; set; } = "";
        public string PasswordHash { get; set; } = "";
        public long CreatedAt { get; set; }

        public User ToModel() => new(Id, StationId, Username, DisplayName, Enum.Parse<UserRole>(Role), Time(CreatedAt));
    }
}
