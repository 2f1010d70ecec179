namespace LiveRelay.Formats.Ts;

/// <summary>The 33-bit PTS/DTS fields of a PES header.</summary>
internal static class PesTimestamp
{
    public const int PtsOnlyPrefix = 0b0010;
    public const int PtsWithDtsPrefix = 0b0011;
    public const int DtsPrefix = 0b0001;

    /// <summary>The value modulo 2^33 (negative values wrap too).</summary>
    public static long Wrap(long ticks) => ticks & (TsPacket.TimestampModulus - 1);

    //  prefix 4 | TS[32..30] 3 | marker_bit 1
    //  TS[29..15] 15 | marker_bit 1
    //  TS[14..0] 15 | marker_bit 1
    public static void Write(Span<byte> destination, int prefix, long ticks)
    {
        var value = Wrap(ticks);
        destination[0] = (byte)(prefix << 4 | (int)(value >> 30) << 1 | 1);
        destination[1] = (byte)(value >> 22);
        destination[2] = (byte)((value >> 14) | 1);
        destination[3] = (byte)(value >> 7);
        destination[4] = (byte)((value << 1) | 1);
    }

    /// <summary>Reads a 5-byte timestamp; false when a marker bit is 0.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out long ticks)
    {
        ticks = 0;
        if ((source[0] & 1) == 0 || (source[2] & 1) == 0 || (source[4] & 1) == 0)
        {
            return false;
        }

        ticks = (long)(source[0] >> 1 & 0x7) << 30
            | (long)source[1] << 22
            | (long)(source[2] >> 1) << 15
            | (long)source[3] << 7
            | (long)(source[4] >> 1);
        return true;
    }
}
