namespace LiveRelay.Core.Media;

/// <summary>
/// The one timebase of the media model: 90 kHz ticks, as in MPEG-TS and RTP video.
/// RTMP's milliseconds convert exactly (×90).
/// </summary>
public static class MediaClock
{
    /// <summary>Ticks per second.</summary>
    public const int Hz = 90_000;

    /// <summary>Ticks per millisecond.</summary>
    public const int TicksPerMillisecond = 90;

    public static long FromMilliseconds(long milliseconds) => milliseconds * TicksPerMillisecond;

    /// <summary>Converts to milliseconds, rounding toward negative infinity.</summary>
    public static long ToMilliseconds(long ticks) => Math.DivRem(ticks, TicksPerMillisecond) is var (q, r) && r < 0 ? q - 1 : q;

    public static double ToSeconds(long ticks) => ticks / (double)Hz;

    public static long FromSeconds(double seconds) => (long)Math.Round(seconds * Hz);
}
