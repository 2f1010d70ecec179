namespace LiveRelay.Newsroom.Switching;

/// <summary>How a take ended.</summary>
/// <param name="Source">The stream path that was taken.</param>
/// <param name="ItemId">The rundown item, if the take named one.</param>
/// <param name="Succeeded">True when the program cut to the source.</param>
/// <param name="Latency">Request to the first frame of the source in the program (when it succeeded).</param>
/// <param name="Error">Why it failed.</param>
public sealed record TakeResult(string Source, string? ItemId, bool Succeeded, TimeSpan Latency, string? Error);

/// <summary>What the program output shows now.</summary>
public enum ProgramMode
{
    /// <summary>Nothing has been taken yet.</summary>
    Idle,

    /// <summary>The taken feed is on air.</summary>
    OnAir,

    /// <summary>The taken feed was lost; the backup feed is on air.</summary>
    FallbackFeed,

    /// <summary>The taken feed was lost; the slate is on air.</summary>
    Slate,

    /// <summary>The taken feed was lost and there is no fallback: the program holds.</summary>
    Holding,
}

/// <summary>A snapshot of a program output for the API and the control page.</summary>
/// <param name="Path">The program's stream path.</param>
/// <param name="Mode">What is on air.</param>
/// <param name="OnAirSource">The source the director took (even while a fallback covers it).</param>
/// <param name="OnAirItemId">The item taken.</param>
/// <param name="ShowingSource">What the program actually shows (the source, the backup feed, or "slate").</param>
/// <param name="PendingSource">A take waiting for its keyframe, if any.</param>
/// <param name="Takes">Takes completed.</param>
/// <param name="LastTakeLatencyMs">Latency of the last take, request to first frame, in milliseconds.</param>
/// <param name="Fallbacks">Times the program fell back.</param>
public sealed record ProgramStatus(
    string Path,
    ProgramMode Mode,
    string? OnAirSource,
    string? OnAirItemId,
    string? ShowingSource,
    string? PendingSource,
    int Takes,
    double? LastTakeLatencyMs,
    int Fallbacks);
