namespace LiveRelay.Newsroom.Model;

/// <summary>One item of a rundown.</summary>
/// <param name="Id">Identifier.</param>
/// <param name="RundownId">The rundown it belongs to.</param>
/// <param name="Position">Running order, 0-based.</param>
/// <param name="Title">What the item is, e.g. "Opening: studio".</param>
/// <param name="Source">The stream path of its feed (<c>live/cam1</c>), or null for an item without video.</param>
/// <param name="FeedId">The feed it was picked from, if any.</param>
/// <param name="PlannedDurationSeconds">Planned duration, if set.</param>
/// <param name="Notes">Notes for the director.</param>
/// <param name="State">Pending, on air or done.</param>
public sealed record RundownItem(
    string Id,
    string RundownId,
    int Position,
    string Title,
    string? Source,
    string? FeedId,
    int? PlannedDurationSeconds,
    string? Notes,
    ItemState State);

/// <summary>Where an item is in the show.</summary>
public enum ItemState
{
    Pending,
    OnAir,
    Done,
}
