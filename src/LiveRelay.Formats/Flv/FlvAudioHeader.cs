namespace LiveRelay.Formats.Flv;

/// <summary>The header at the start of an FLV audio tag body (or RTMP audio message), FLV spec v10.1, E.4.2.1.</summary>
/// <param name="Format">The codec.</param>
/// <param name="RateCode">SoundRate: 0 = 5.5 kHz, 1 = 11 kHz, 2 = 22 kHz, 3 = 44 kHz (always 3 for AAC, whose real rate is in the AudioSpecificConfig).</param>
/// <param name="Is16Bit">SoundSize: 16-bit samples rather than 8-bit.</param>
/// <param name="IsStereo">SoundType: stereo rather than mono.</param>
/// <param name="IsAacSequenceHeader">True for an AAC sequence header (AACPacketType 0), whose payload is the AudioSpecificConfig.</param>
/// <param name="HeaderLength">Bytes before the payload: 2 for AAC, 1 otherwise.</param>
public readonly record struct FlvAudioHeader(
    FlvSoundFormat Format,
    int RateCode,
    bool Is16Bit,
    bool IsStereo,
    bool IsAacSequenceHeader,
    int HeaderLength)
{
    /// <summary>Bytes in an AAC audio tag header.</summary>
    public const int AacLength = 2;

    // AAC, 44 kHz, 16-bit, stereo: what the spec requires for AAC whatever the real parameters.
    private const byte AacFlags = ((byte)FlvSoundFormat.Aac << 4) | (3 << 2) | (1 << 1) | 1;

    // AudioTagHeader:
    //  byte 0                                                  byte 1 (AAC only)
    // +-------------+-----------+-----------+-----------+     +-----------------+
    // | SoundFormat | SoundRate | SoundSize | SoundType |     | AACPacketType   | payload ...
    // |    UB[4]    |   UB[2]   |   UB[1]   |   UB[1]   |     | 0 seq header    |
    // |             |           | 0:8 1:16  | 0:mono    |     | 1 raw AAC frame |
    // +-------------+-----------+-----------+-----------+     +-----------------+

    /// <summary>
    /// Parses the header of an audio tag body. Returns false for an empty body, an AAC body without
    /// its packet type byte or with a packet type other than 0 or 1, and for SoundFormat 9 (reserved;
    /// the Enhanced RTMP v2 audio header, which is not supported) or 12/13 (reserved).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out FlvAudioHeader header)
    {
        header = default;
        if (body.IsEmpty)
        {
            return false;
        }

        var flags = body[0];
        var format = (FlvSoundFormat)(flags >> 4);
        if (format is (FlvSoundFormat)9 or (FlvSoundFormat)12 or (FlvSoundFormat)13)
        {
            return false;
        }

        var isSequenceHeader = false;
        var length = 1;
        if (format == FlvSoundFormat.Aac)
        {
            if (body.Length < AacLength || body[1] > 1)
            {
                return false;
            }

            isSequenceHeader = body[1] == 0;
            length = AacLength;
        }

        header = new FlvAudioHeader(format, (flags >> 2) & 0x03, (flags & 0x02) != 0, (flags & 0x01) != 0, isSequenceHeader, length);
        return true;
    }

    /// <summary>
    /// Writes the one-byte header of a G.711 tag: A-law (7) or µ-law (8), SoundRate 0 (the spec's
    /// "special" rate, which readers take as 8 kHz for G.711, as ffmpeg writes it), 16-bit, mono.
    /// </summary>
    public static int WriteG711Header(Span<byte> destination, bool aLaw)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, 1, nameof(destination));
        destination[0] = (byte)(((byte)(aLaw ? FlvSoundFormat.G711A : FlvSoundFormat.G711U) << 4) | (1 << 1));
        return 1;
    }

    /// <summary>Writes an AAC header (0xAF, then AACPacketType 0 or 1) and returns its length, 2.</summary>
    public static int WriteAacHeader(Span<byte> destination, bool sequenceHeader)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, AacLength, nameof(destination));
        destination[0] = AacFlags;
        destination[1] = sequenceHeader ? (byte)0 : (byte)1;
        return AacLength;
    }
}
