namespace LiveRelay.Newsroom.Model;

/// <summary>A rundown (its program and item feeds) or a feed shared with a partner station.</summary>
/// <param name="Id">Identifier.</param>
/// <param name="Kind">What is shared.</param>
/// <param name="TargetId">The rundown or feed id.</param>
/// <param name="StationId">The partner station that may pull.</param>
/// <param name="ExpiresAt">When the share ends by itself, if ever.</param>
/// <param name="RevokedAt">When it was revoked, if it was.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record Share(string Id, ShareKind Kind, string TargetId, string StationId, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset CreatedAt)
{
    /// <summary>True while the share grants access.</summary>
    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

/// <summary>What a share grants.</summary>
public enum ShareKind
{
    Rundown,
    Feed,
}
