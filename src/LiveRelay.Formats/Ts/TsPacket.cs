namespace LiveRelay.Formats.Ts;

/// <summary>Constants of the 188-byte MPEG-TS packet (ISO/IEC 13818-1 2.4.3).</summary>
public static class TsPacket
{
    /// <summary>Bytes per packet.</summary>
    public const int Length = 188;

    /// <summary>The sync_byte that starts every packet.</summary>
    public const byte SyncByte = 0x47;

    /// <summary>Bytes of the fixed packet header.</summary>
    public const int HeaderLength = 4;

    /// <summary>Bytes after the fixed header: adaptation field plus payload.</summary>
    public const int BodyLength = Length - HeaderLength;

    /// <summary>The PID of the program association table.</summary>
    public const int PatPid = 0x0000;

    /// <summary>The largest PID (13 bits); 0x1FFF is the null packet.</summary>
    public const int MaxPid = 0x1FFF;

    /// <summary>Ticks of the 27 MHz system clock per 90 kHz tick.</summary>
    public const int PcrTicksPerClockTick = 300;

    /// <summary>Timestamps (PTS, DTS, PCR base) are 33-bit and wrap at this value.</summary>
    public const long TimestampModulus = 1L << 33;
}
