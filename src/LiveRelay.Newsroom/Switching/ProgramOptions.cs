namespace LiveRelay.Newsroom.Switching;

/// <summary>How program outputs behave (<c>LiveRelay:Program</c>).</summary>
public sealed record ProgramOptions
{
    /// <summary>A feed that sends no frame for this long is treated as lost (its publisher leaving is noticed at once).</summary>
    public int FallbackAfterMilliseconds { get; init; } = 1500;

    /// <summary>A take whose target shows no keyframe within this long is abandoned.</summary>
    public int TakeTimeoutSeconds { get; init; } = 10;

    /// <summary>A still image (PNG/JPEG) for the fallback slate; a plain card when empty.</summary>
    public string SlateImage { get; init; } = "";
}
