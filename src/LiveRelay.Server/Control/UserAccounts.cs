using System.Text.RegularExpressions;
using LiveRelay.Newsroom.Model;
using LiveRelay.Newsroom.Rundowns;
using LiveRelay.Newsroom.Storage;
using Microsoft.AspNetCore.Identity;

namespace LiveRelay.Server.Control;

/// <summary>
/// Users of the control page: created by the admin token or a station admin, passwords hashed with
/// ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2 with HMAC-SHA512, 100,000
/// iterations, a random salt per password), checked at sign-in.
/// </summary>
public sealed partial class UserAccounts(INewsroomStore store, TimeProvider time, ILogger<UserAccounts> logger)
{
    public const int MinPasswordLength = 8;

    /// <summary>Failed sign-ins one address may make in a minute; more are refused before any hashing.</summary>
    public const int MaxFailuresPerMinute = 10;

    private const int MaxPasswordLength = 256;
    private const int MaxTrackedAddresses = 10_000;
    private static readonly TimeSpan s_failureWindow = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan s_existsCacheTime = TimeSpan.FromSeconds(10);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (int Count, long Since)> _failures = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (bool Exists, long At)> _exists = new(StringComparer.Ordinal);

    private readonly PasswordHasher<User> _hasher = new();

    // Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
    private readonly Lazy<string> _decoy = new(() => new PasswordHasher<User>().HashPassword(null!, "decoy password"));

    /// <summary>Adds a user. <paramref name="creator"/> is null for the admin token; a station admin may add users of the own station only.</summary>
    public async Task<NewsroomResult<User>> CreateAsync(NewUser input, ControlUser? creator)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Username is null || !UsernamePattern().IsMatch(input.Username))
        {
            return NewsroomResult<User>.Fail(NewsroomError.Invalid, "username must be 2–64 characters of a–z, 0–9, '.', '_' and '-', starting with a letter or digit");
        }

        if (input.Password is null || input.Password.Length < MinPasswordLength || input.Password.Length > MaxPasswordLength)
        {
            return NewsroomResult<User>.Fail(NewsroomError.Invalid, $"password must be {MinPasswordLength}–{MaxPasswordLength} characters");
        }

        var role = UserRole.Director;
        if (input.Role is { Length: > 0 } roleText && !Enum.TryParse(roleText, ignoreCase: true, out role))
        {
            return NewsroomResult<User>.Fail(NewsroomError.Invalid, "role must be \"director\" or \"admin\"");
        }

        var stationId = string.IsNullOrWhiteSpace(input.StationId) ? null : input.StationId.Trim();
        if (creator is { IsHubWide: false })
        {
            if (stationId is not null && stationId != creator.StationId)
            {
                return NewsroomResult<User>.Fail(NewsroomError.Invalid, "a station admin can add users of the own station only");
            }

            stationId = creator.StationId;
        }

        if (stationId is not null && await store.GetStationAsync(stationId).ConfigureAwait(false) is null)
        {
            return NewsroomResult<User>.Fail(NewsroomError.Invalid, $"station {stationId} does not exist");
        }

        var displayName = string.IsNullOrWhiteSpace(input.DisplayName) ? input.Username : input.DisplayName.Trim();
        if (displayName.Length > 100)
        {
            return NewsroomResult<User>.Fail(NewsroomError.Invalid, "displayName is longer than 100 characters");
        }

        var user = new User(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)), stationId, input.Username, displayName, role, time.GetUtcNow());
        if (!await store.AddUserAsync(user, _hasher.HashPassword(user, input.Password)).ConfigureAwait(false))
        {
            return NewsroomResult<User>.Fail(NewsroomError.Conflict, $"the username '{input.Username}' is taken");
        }

        Log.UserCreated(logger, user.Username, user.Role, user.StationId ?? "(hub-wide)", creator?.Username ?? "the admin token");
        return user;
    }

    /// <summary>Whether the user still exists (cached for a few seconds; a removal through <see cref="DeleteAsync"/> counts at once).</summary>
    public async ValueTask<bool> ExistsAsync(string userId)
    {
        if (_exists.TryGetValue(userId, out var known) && time.GetElapsedTime(known.At) < s_existsCacheTime)
        {
            return known.Exists;
        }

        var exists = await store.GetUserAsync(userId).ConfigureAwait(false) is not null;
        _exists[userId] = (exists, time.GetTimestamp());
        if (_exists.Count > MaxTrackedAddresses)
        {
            _exists.Clear();
        }

        return exists;
    }

    /// <summary>Removes a user; their sign-ins stop working at once.</summary>
    public async Task<bool> DeleteAsync(string userId)
    {
        var deleted = await store.DeleteUserAsync(userId).ConfigureAwait(false);
        _exists[userId] = (false, time.GetTimestamp());
        return deleted;
    }

    /// <summary>True when the address made too many failed sign-ins lately: refuse without trying.</summary>
    public bool IsThrottled(string remoteAddress) =>
        _failures.TryGetValue(remoteAddress, out var failures)
        && failures.Count >= MaxFailuresPerMinute
        && time.GetElapsedTime(failures.Since) < s_failureWindow;

    /// <summary>The user whose name and password these are, or null.</summary>
    public async Task<User?> SignInAsync(string? username, string? password, string remoteAddress)
    {
        var user = await CheckAsync(username, password, remoteAddress).ConfigureAwait(false);
        if (user is null)
        {
            var now = time.GetTimestamp();
            _failures.AddOrUpdate(
                remoteAddress,
                (1, now),
                (_, f) => time.GetElapsedTime(f.Since, now) < s_failureWindow ? (f.Count + 1, f.Since) : (1, now));
            if (_failures.Count > MaxTrackedAddresses)
            {
                foreach (var (address, f) in _failures)
                {
                    if (time.GetElapsedTime(f.Since, now) >= s_failureWindow)
                    {
                        _failures.TryRemove(address, out _);
                    }
                }
            }
        }

        return user;
    }

    private async Task<User?> CheckAsync(string? username, string? password, string remoteAddress)
    {
        if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password) || username.Length > 64 || password.Length > MaxPasswordLength)
        {
            Log.SignInRefused(logger, username?.Length > 64 ? username[..64] : username ?? "", remoteAddress);
            return null;
        }

        var found = await store.FindUserAsync(username).ConfigureAwait(false);
        if (found is not { } account)
        {
            _hasher.VerifyHashedPassword(null!, _decoy.Value, password);
            Log.SignInRefused(logger, username, remoteAddress);
            return null;
        }

        switch (_hasher.VerifyHashedPassword(account.User, account.PasswordHash, password))
        {
            case PasswordVerificationResult.Success:
                break;
            case PasswordVerificationResult.SuccessRehashNeeded:
                await store.SetPasswordHashAsync(account.User.Id, _hasher.HashPassword(account.User, password)).ConfigureAwait(false);
                break;
            default:
                Log.SignInRefused(logger, username, remoteAddress);
                return null;
        }

        Log.SignedIn(logger, username, remoteAddress);
        return account.User;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")]
    private static partial Regex UsernamePattern();

    private static partial class Log
    {
        [LoggerMessage(2410, LogLevel.Information, "User {Username} ({Role}, station {StationId}) created by {Creator}")]
        public static partial void UserCreated(ILogger logger, string username, UserRole role, string stationId, string creator);

        [LoggerMessage(2411, LogLevel.Information, "User {Username} signed in from {RemoteAddress}")]
        public static partial void SignedIn(ILogger logger, string username, string remoteAddress);

        [LoggerMessage(2412, LogLevel.Warning, "Sign-in as {Username} from {RemoteAddress} refused: wrong name or password")]
        public static partial void SignInRefused(ILogger logger, string username, string remoteAddress);
    }
}

/// <summary>A new user.</summary>
public sealed record NewUser(string? Username, string? Password, string? Role, string? StationId, string? DisplayName);

/// <summary>A sign-in.</summary>
public sealed record SignIn(string? Username, string? Password);
