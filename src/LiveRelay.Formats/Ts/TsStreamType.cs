namespace LiveRelay.Formats.Ts;

/// <summary>PMT stream_type values (ISO/IEC 13818-1 table 2-34) for the codecs the relay carries.</summary>
public static class TsStreamType
{
    /// <summary>ISO/IEC 13818-7 AAC with ADTS framing.</summary>
    public const byte AacAdts = 0x0F;

    /// <summary>H.264 / AVC video.</summary>
    public const byte H264 = 0x1B;

    /// <summary>H.265 / HEVC video.</summary>
    public const byte H265 = 0x24;
}
