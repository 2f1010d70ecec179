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
    private const int MaxPasswordLength = 256;

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

    /// <summary>The user whose name and password these are, or null.</summary>
    public async Task<User?> SignInAsync(string? username, string? password, string remoteAddress)
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
