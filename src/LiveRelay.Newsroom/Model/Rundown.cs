namespace LiveRelay.Newsroom.Model;

/// <summary>
/// The ordered plan of a live show (串联单) and its program output at <c>program/{Id}</c>.
/// <see cref="Version"/> goes up with every change, so concurrent editors can detect stale edits.
/// </summary>
public sealed record Rundown
{
    public required string Id { get; init; }

    public string? StationId { get; init; }

    public required string Title { get; init; }

    /// <summary>When the show is planned to start, if set.</summary>
    public DateTimeOffset? PlannedStart { get; init; }

    /// <summary>What the program shows when the on-air feed drops.</summary>
    public FallbackMode Fallback { get; init; } = FallbackMode.Slate;

    /// <summary>The backup stream path when <see cref="Fallback"/> is <see cref="FallbackMode.Feed"/>.</summary>
    public string? FallbackSource { get; init; }

    /// <summary>Cut back to the on-air item's feed when it returns after a fallback.</summary>
    public bool ReturnWhenBack { get; init; } = true;

    /// <summary>Items in running order.</summary>
    public IReadOnlyList<RundownItem> Items { get; init; } = [];

    /// <summary>The item on air, if any.</summary>
    public string? OnAirItemId { get; init; }

    /// <summary>The item in preview, if any.</summary>
    public string? PreviewItemId { get; init; }

    public long Version { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The stream path of the program output.</summary>
    public string ProgramPath => ProgramPathFor(Id);

    public static string ProgramPathFor(string rundownId) => $"program/{rundownId}";
}

/// <summary>What the program output shows while the on-air feed is gone.</summary>
public enum FallbackMode
{
    /// <summary>A slate image looped as video (generated once per resolution), with silence.</summary>
    Slate,

    /// <summary>A named backup stream (<see cref="Rundown.FallbackSource"/>).</summary>
    Feed,

    /// <summary>Nothing: the program holds (sends nothing) and cuts back to the feed when it returns.</summary>
    None,
}
