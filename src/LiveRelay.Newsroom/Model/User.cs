namespace LiveRelay.Newsroom.Model;

/// <summary>A person who signs in to the control page: a director or an admin of a station.</summary>
/// <param name="Id">Identifier.</param>
/// <param name="StationId">The station the user works for; null for a hub-wide user, who sees every station.</param>
/// <param name="Username">Sign-in name, unique, e.g. <c>chen</c>.</param>
/// <param name="DisplayName">Name shown on the page, e.g. 陈导.</param>
/// <param name="Role">What the user may do.</param>
/// <param name="CreatedAt">When the user was added.</param>
public sealed record User(string Id, string? StationId, string Username, string DisplayName, UserRole Role, DateTimeOffset CreatedAt);

/// <summary>What a user may do.</summary>
public enum UserRole
{
    /// <summary>Runs rundowns: preview, take, edit items.</summary>
    Director,

    /// <summary>Everything a director may, and adds or removes the users of the station.</summary>
    Admin,
}
