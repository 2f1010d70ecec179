using System.Security.Claims;
using LiveRelay.Newsroom.Model;

namespace LiveRelay.Server.Control;

/// <summary>The signed-in user as the control plane sees it, read from the sign-in's claims.</summary>
public sealed record ControlUser(string Id, string Username, string DisplayName, UserRole Role, string? StationId)
{
    private const string StationClaim = "liverelay:station";
    private const string DisplayNameClaim = "liverelay:display_name";

    /// <summary>A hub-wide user (no station) sees and runs every station's rundowns.</summary>
    public bool IsHubWide => StationId is null;

    /// <summary>The SignalR groups the user's connections join: everyone's, and the station's (or the hub-wide users').</summary>
    public IEnumerable<string> Groups => [ControlGroups.All, StationId is null ? ControlGroups.Hub : ControlGroups.Station(StationId)];

    public static ClaimsPrincipal ToPrincipal(User user, string authenticationType)
    {
        ArgumentNullException.ThrowIfNull(user);
        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, user.Id),
            new(ClaimTypes.Name, user.Username),
            new(DisplayNameClaim, user.DisplayName),
            new(ClaimTypes.Role, user.Role.ToString()),
        ];
        if (user.StationId is { } station)
        {
            claims.Add(new Claim(StationClaim, station));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>The user of an authenticated principal, or null.</summary>
    public static ControlUser? From(ClaimsPrincipal? principal)
    {
        if (principal?.Identity?.IsAuthenticated != true
            || principal.FindFirstValue(ClaimTypes.NameIdentifier) is not { } id
            || principal.FindFirstValue(ClaimTypes.Name) is not { } name
            || !Enum.TryParse<UserRole>(principal.FindFirstValue(ClaimTypes.Role), out var role))
        {
            return null;
        }

        return new ControlUser(id, name, principal.FindFirstValue(DisplayNameClaim) ?? name, role, principal.FindFirstValue(StationClaim));
    }
}

/// <summary>
/// The hub's groups: every event goes to the audience of what it is about. Something of no station
/// goes to <see cref="All"/>; something of station X goes to X, to the stations it is shared with, and
/// to the hub-wide users.
/// </summary>
public static class ControlGroups
{
    public const string All = "all";

    public const string Hub = "hub";

    public static string Station(string stationId) => "station:" + stationId;
}
