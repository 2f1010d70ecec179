using LiveRelay.Newsroom.Model;

namespace LiveRelay.Newsroom.Storage;

/// <summary>
/// Where stations, feeds, rundowns, shares, the pull log and settings live: SQLite by default,
/// PostgreSQL when a connection string names one. A rundown is stored as one aggregate (its row and
/// its items) under optimistic concurrency: <see cref="SaveRundownAsync"/> succeeds only when the stored
/// version is the one the change was made from.
/// </summary>
public interface INewsroomStore
{
    /// <summary>Creates the schema or brings it up to date.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds a station; false when its code is taken.</summary>
    Task<bool> AddStationAsync(Station station, CancellationToken cancellationToken = default);

    Task<Station?> GetStationAsync(string id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Station>> ListStationsAsync(CancellationToken cancellationToken = default);

    Task<bool> DeleteStationAsync(string id, CancellationToken cancellationToken = default);

    Task AddFeedAsync(Feed feed, CancellationToken cancellationToken = default);

    Task<Feed?> GetFeedAsync(string id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Feed>> ListFeedsAsync(CancellationToken cancellationToken = default);

    Task<bool> DeleteFeedAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Saves a feed's name, publish key, SRT passphrase and takeover flag; false when it does not exist.</summary>
    Task<bool> UpdateFeedAsync(Feed feed, CancellationToken cancellationToken = default);

    /// <summary>Adds a new rundown (version 1) with its items.</summary>
    Task AddRundownAsync(Rundown rundown, CancellationToken cancellationToken = default);

    Task<Rundown?> GetRundownAsync(string id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Rundown>> ListRundownsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the stored rundown and its items with <paramref name="rundown"/> if the stored version is
    /// still <paramref name="expectedVersion"/>; the saved version is <c>expectedVersion + 1</c>. False on
    /// a concurrent change (or when the rundown is gone).
    /// </summary>
    Task<bool> SaveRundownAsync(Rundown rundown, long expectedVersion, CancellationToken cancellationToken = default);

    Task<bool> DeleteRundownAsync(string id, CancellationToken cancellationToken = default);

    Task AddShareAsync(Share share, CancellationToken cancellationToken = default);

    Task<Share?> GetShareAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Shares, optionally only those of one target (rundown or feed id) or one partner station.</summary>
    Task<IReadOnlyList<Share>> ListSharesAsync(string? targetId = null, string? stationId = null, CancellationToken cancellationToken = default);

    /// <summary>Marks a share revoked; false when it does not exist or was revoked already.</summary>
    Task<bool> RevokeShareAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default);

    Task AddPullAsync(PullRecord pull, CancellationToken cancellationToken = default);

    /// <summary>Records the end of a pull: when, how many bytes, and why it was ended if it was cut.</summary>
    Task EndPullAsync(string id, DateTimeOffset endedAt, long bytes, string? refusal, CancellationToken cancellationToken = default);

    /// <summary>The pull log, newest first.</summary>
    Task<IReadOnlyList<PullRecord>> ListPullsAsync(PullQuery query, CancellationToken cancellationToken = default);

    /// <summary>Adds a user with its password hash; false when the username is taken.</summary>
    Task<bool> AddUserAsync(User user, string passwordHash, CancellationToken cancellationToken = default);

    Task<User?> GetUserAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>A user and its password hash, by sign-in name.</summary>
    Task<(User User, string PasswordHash)?> FindUserAsync(string username, CancellationToken cancellationToken = default);

    /// <summary>Users, optionally only those of one station.</summary>
    Task<IReadOnlyList<User>> ListUsersAsync(string? stationId = null, CancellationToken cancellationToken = default);

    Task<bool> DeleteUserAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Replaces a user's password hash (after a rehash on sign-in, or a password change).</summary>
    Task<bool> SetPasswordHashAsync(string id, string passwordHash, CancellationToken cancellationToken = default);

    Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Stores a setting unless it exists; returns the value now stored (the existing one if there was one).</summary>
    Task<string> GetOrAddSettingAsync(string key, string value, CancellationToken cancellationToken = default);

    /// <summary>Adds or replaces a pull source (by id); false when another one has its path.</summary>
    Task<bool> SavePullSourceAsync(PullDefinition pull, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PullDefinition>> ListPullSourcesAsync(CancellationToken cancellationToken = default);

    Task<bool> DeletePullSourceAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Adds or replaces a relay-out target (by id).</summary>
    Task SaveRelayTargetAsync(RelayDefinition relay, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<RelayDefinition>> ListRelayTargetsAsync(CancellationToken cancellationToken = default);

    Task<bool> DeleteRelayTargetAsync(string id, CancellationToken cancellationToken = default);
}

/// <summary>A filter on the pull log.</summary>
/// <param name="StationId">Only pulls by this station.</param>
/// <param name="StreamPath">Only pulls of this stream.</param>
/// <param name="Since">Only pulls started at or after this time.</param>
/// <param name="Limit">At most this many records (1–10000).</param>
public sealed record PullQuery(string? StationId = null, string? StreamPath = null, DateTimeOffset? Since = null, int Limit = 500);
