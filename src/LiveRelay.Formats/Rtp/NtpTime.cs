namespace LiveRelay.Formats.Rtp;

/// <summary>
/// 64-bit NTP timestamps as RTCP carries them (RFC 3550 §4): seconds since 1900-01-01 UTC in the high
/// 32 bits, the fraction of a second in the low 32. Seconds with the top bit clear are taken to be in
/// the era that starts 2036-02-07 06:28:16 UTC (RFC 4330 §3), so the range read is 1968 to 2104.
/// </summary>
public static class NtpTime
{
    private const long TicksPerSecond = TimeSpan.TicksPerSecond;
    private const ulong UnsignedTicksPerSecond = TimeSpan.TicksPerSecond;

    private static readonly DateTime s_epoch = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The first instant read: 1968-01-20 03:14:08 UTC (seconds 0x80000000 of era 0).</summary>
    public static DateTime MinValue { get; } = s_epoch.AddSeconds(0x8000_0000L);

    /// <summary>The first instant past the range: 2104-02-26 09:42:24 UTC.</summary>
    public static DateTime EndValue { get; } = MinValue.AddSeconds(0x1_0000_0000L);

    /// <summary>The UTC time of an NTP timestamp, to the nearest 100 ns tick.</summary>
    public static DateTime ToDateTime(ulong ntp) => new(ToTicks(ntp), DateTimeKind.Utc);

    /// <summary>The <see cref="DateTime.Ticks"/> (UTC) of an NTP timestamp, to the nearest 100 ns.</summary>
    public static long ToTicks(ulong ntp)
    {
        var seconds = (long)(ntp >> 32);
        if (seconds < 0x8000_0000L)
        {
            seconds += 0x1_0000_0000L; // era 1
        }

        var fraction = (long)((((ntp & 0xFFFF_FFFF) * UnsignedTicksPerSecond) + 0x8000_0000UL) >> 32);
        return s_epoch.Ticks + (seconds * TicksPerSecond) + fraction;
    }

    /// <summary>The NTP timestamp of a time from <see cref="MinValue"/> up to <see cref="EndValue"/>, rounded to the nearest fraction.</summary>
    public static ulong FromDateTime(DateTime time)
    {
        var utc = time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
        if (utc < MinValue || utc >= EndValue)
        {
            throw new ArgumentOutOfRangeException(nameof(time), time, "NTP timestamps cover 1968-01-20 to 2104-02-26.");
        }

        var ticks = utc.Ticks - s_epoch.Ticks;
        var seconds = (ulong)(ticks / TicksPerSecond);
        var fraction = (((ulong)(ticks % TicksPerSecond) << 32) + (UnsignedTicksPerSecond / 2)) / UnsignedTicksPerSecond;
        return ((seconds & 0xFFFF_FFFF) << 32) + fraction;
    }

    /// <summary>The middle 32 bits of an NTP timestamp: what a report block's LSR carries.</summary>
    public static uint ToMiddle32(ulong ntp) => (uint)(ntp >> 16);

    /// <summary>A delay in the 1/65536 s units of a report block's DLSR (clamped to 0 and <see cref="uint.MaxValue"/>).</summary>
    public static uint ToDelay(TimeSpan delay)
    {
        // 65536 s is the first delay past the 32-bit field; clamping the ticks first keeps the product in range.
        var ticks = Math.Clamp(delay.Ticks, 0, 65536 * TicksPerSecond);
        return (uint)Math.Min(ticks * 65536 / TicksPerSecond, uint.MaxValue);
    }

    /// <summary>A DLSR (or a difference of middle-32 NTP values) as a time span.</summary>
    public static TimeSpan FromDelay(uint units) => TimeSpan.FromTicks((long)units * TicksPerSecond / 65536);
}
