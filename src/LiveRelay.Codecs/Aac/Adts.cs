using System.Buffers.Binary;

namespace LiveRelay.Codecs.Aac;

/// <summary>
/// ADTS (ISO/IEC 13818-7 6.2): the self-describing AAC framing of MPEG-TS and raw .aac streams.
/// The media model carries raw AAC frames; egress adds a header, ingest strips it.
/// </summary>
public static class Adts
{
    /// <summary>Header length without CRC.</summary>
    public const int HeaderLength = 7;

    /// <summary>Header length with the 16-bit CRC.</summary>
    public const int HeaderWithCrcLength = 9;

    /// <summary>The largest aac_frame_length (13 bits), header included.</summary>
    public const int MaxFrameLength = 0x1FFF;

    //  AAAAAAAA AAAABCCD EEFFFFGH HHIJKLMM MMMMMMMM MMMOOOOO OOOOOOPP [QQQQQQQQ QQQQQQQQ]
    //  A 12 syncword 0xFFF             B 1 ID (0 MPEG-4, 1 MPEG-2)   C 2 layer = 0
    //  D 1 protection_absent (1 = no CRC)
    //  E 2 profile = audioObjectType − 1                            F 4 sampling_frequency_index
    //  G 1 private_bit                 H 3 channel_configuration
    //  I 1 original_copy               J 1 home
    //  K 1 copyright_identification_bit L 1 copyright_identification_start
    //  M 13 aac_frame_length (header included)                     O 11 adts_buffer_fullness (0x7FF = VBR)
    //  P 2 number_of_raw_data_blocks_in_frame − 1                   Q 16 CRC when D = 0
    /// <summary>
    /// Writes a 7-byte header (MPEG-4, no CRC, VBR, one raw data block) for a raw frame of
    /// <paramref name="rawFrameLength"/> bytes. SBR and PS configurations are written as their
    /// AAC LC core (implicit signalling), as ADTS cannot express them.
    /// </summary>
    /// <exception cref="ArgumentException">The destination is shorter than 7 bytes, the object type
    /// cannot be expressed in ADTS, the frequency index is explicit, or the frame is too long.</exception>
    public static void WriteHeader(Span<byte> destination, in AudioSpecificConfig config, int rawFrameLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, HeaderLength, nameof(destination));
        ArgumentOutOfRangeException.ThrowIfNegative(rawFrameLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rawFrameLength, MaxFrameLength - HeaderLength);
        var objectType = GetProfileObjectType(config);
        if (objectType is < 1 or > 4)
        {
            throw new ArgumentException($"ADTS cannot carry audio object type {config.ObjectType}.", nameof(config));
        }

        if ((uint)config.SampleRateIndex > 12)
        {
            throw new ArgumentException($"ADTS cannot carry sampling frequency index {config.SampleRateIndex}.", nameof(config));
        }

        if ((uint)config.ChannelConfiguration > 7)
        {
            throw new ArgumentException($"ADTS cannot carry channel configuration {config.ChannelConfiguration}.", nameof(config));
        }

        var frameLength = HeaderLength + rawFrameLength;
        const int bufferFullness = 0x7FF;
        destination[0] = 0xFF;
        destination[1] = 0xF1; // sync low nibble, ID 0, layer 00, protection_absent 1
        destination[2] = (byte)((objectType - 1) << 6 | config.SampleRateIndex << 2 | config.ChannelConfiguration >> 2);
        destination[3] = (byte)((config.ChannelConfiguration & 0x3) << 6 | frameLength >> 11);
        destination[4] = (byte)(frameLength >> 3);
        destination[5] = (byte)((frameLength & 0x7) << 5 | bufferFullness >> 6);
        destination[6] = (byte)((bufferFullness & 0x3F) << 2); // one raw data block
    }

    /// <summary>
    /// True when <see cref="WriteHeader"/> can express the configuration: an object type of 1–4
    /// (or SBR/PS over AAC LC), a table sampling frequency index, a channel configuration of 0–7.
    /// </summary>
    public static bool CanWrite(in AudioSpecificConfig config) =>
        GetProfileObjectType(config) is >= 1 and <= 4
        && (uint)config.SampleRateIndex <= 12
        && (uint)config.ChannelConfiguration <= 7;

    /// <summary>
    /// Parses the header at the start of <paramref name="data"/>. Returns false, never throws, when fewer
    /// bytes than the header (7, or 9 with CRC) are present, the syncword or layer is wrong, the frequency
    /// index is reserved, or aac_frame_length is shorter than the header. The payload itself need not be present.
    /// </summary>
    public static bool TryParseHeader(ReadOnlySpan<byte> data, out AdtsHeader header)
    {
        header = default;
        if (data.Length < HeaderLength)
        {
            return false;
        }

        var fixedBits = BinaryPrimitives.ReadUInt16BigEndian(data);
        if ((fixedBits & 0xFFF6) != 0xFFF0) // syncword and layer 00
        {
            return false;
        }

        var headerLength = (fixedBits & 0x1) != 0 ? HeaderLength : HeaderWithCrcLength;
        var objectType = (data[2] >> 6) + 1;
        var sampleRateIndex = (data[2] >> 2) & 0xF;
        var sampleRate = AacSampleRates.FromIndex(sampleRateIndex);
        var channels = (data[2] & 0x1) << 2 | data[3] >> 6;
        var frameLength = (data[3] & 0x3) << 11 | data[4] << 3 | data[5] >> 5;
        if (data.Length < headerLength || sampleRate == 0 || frameLength < headerLength)
        {
            return false;
        }

        header = new AdtsHeader(objectType, sampleRateIndex, sampleRate, channels, frameLength, headerLength);
        return true;
    }

    private static int GetProfileObjectType(in AudioSpecificConfig config) =>
        config.ObjectType is AudioSpecificConfig.Sbr or AudioSpecificConfig.Ps ? AudioSpecificConfig.AacLc : config.ObjectType;
}
