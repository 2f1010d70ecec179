namespace LiveRelay.Codecs.Aac;

/// <summary>
/// The fields of an MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1) that a relay needs:
/// the RTMP/FLV "AAC sequence header", the MP4 <c>esds</c> DecoderSpecificInfo.
/// </summary>
/// <param name="ObjectType">audioObjectType: 2 AAC LC, 5 SBR (HE-AAC), 29 PS (HE-AACv2) ...</param>
/// <param name="SampleRateIndex">samplingFrequencyIndex, 15 when the rate is explicit.</param>
/// <param name="SampleRate">Sampling rate in Hz. For SBR and PS this is the core (AAC) rate.</param>
/// <param name="ChannelConfiguration">channelConfiguration: 1–6 that many channels, 7 for 7.1, 0 defined in-band.</param>
public readonly record struct AudioSpecificConfig(int ObjectType, int SampleRateIndex, int SampleRate, int ChannelConfiguration)
{
    /// <summary>audioObjectType of AAC LC.</summary>
    public const int AacLc = 2;

    /// <summary>audioObjectType of SBR (HE-AAC).</summary>
    public const int Sbr = 5;

    /// <summary>audioObjectType of PS (HE-AAC v2).</summary>
    public const int Ps = 29;

    private const int EscapeObjectType = 31;

    /// <summary>RFC 6381 codec string, e.g. <c>mp4a.40.2</c>.</summary>
    public string CodecString => $"mp4a.40.{ObjectType}";

    /// <summary>Channel count: the configuration, except 8 for 7.1 (configuration 7) and 0 when defined in-band.</summary>
    public int Channels => ChannelConfiguration == 7 ? 8 : ChannelConfiguration;

    //  audioObjectType               5 bits; 31 = escape: 32 + audioObjectTypeExt (6 bits)
    //  samplingFrequencyIndex        4 bits; 15 = escape: samplingFrequency (24 bits)
    //  channelConfiguration          4 bits
    //  if audioObjectType is 5 (SBR) or 29 (PS):                 explicit hierarchical signalling
    //    extensionSamplingFrequencyIndex 4 bits; 15 = escape: extensionSamplingFrequency (24 bits)
    //    audioObjectType             5 bits (+6) of the core, usually 2
    //  GASpecificConfig / other object-specific data: not read
    /// <summary>
    /// Parses the leading fields of an AudioSpecificConfig. Returns false, never throws, when it is too
    /// short for them, the object type is 0, the frequency index is reserved, or an explicit rate is 0.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> config, out AudioSpecificConfig result)
    {
        result = default;
        var reader = new BitReader(config, removeEmulationPrevention: false);
        var objectType = ReadObjectType(ref reader);
        var (index, rate) = ReadSampleRate(ref reader);
        var channels = (int)reader.ReadBits(4);
        if (objectType is Sbr or Ps)
        {
            var (_, extensionRate) = ReadSampleRate(ref reader);
            ReadObjectType(ref reader);
            if (extensionRate == 0)
            {
                return false;
            }
        }

        if (reader.HasError || objectType == 0 || rate == 0)
        {
            return false;
        }

        result = new AudioSpecificConfig(objectType, index, rate, channels);
        return true;
    }

    /// <summary>
    /// Builds a 2-byte (or longer, for escaped values) AudioSpecificConfig with the GASpecificConfig
    /// flags all zero (1024-sample frames, no core coder, no extension).
    /// </summary>
    /// <param name="objectType">audioObjectType, 1–30 or 32–95 (2 for AAC LC; 31 is the escape code itself).</param>
    /// <param name="sampleRate">Rate in Hz; a rate outside the index table is written explicitly.</param>
    /// <param name="channels">Channel count 1–6, or 8 for 7.1.</param>
    public static byte[] Build(int objectType, int sampleRate, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(objectType, 1);
        ArgumentOutOfRangeException.ThrowIfEqual(objectType, EscapeObjectType);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(objectType, EscapeObjectType + 1 + 63);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleRate, 0xFFFFFF);
        var channelConfiguration = channels switch
        {
            >= 1 and <= 6 => channels,
            8 => 7,
            _ => throw new ArgumentOutOfRangeException(nameof(channels), channels, "AAC channel configurations cover 1–6 and 8 channels."),
        };

        // Collect the bits in a 64-bit accumulator: at most 11 + 28 + 4 + 3 = 46 bits.
        ulong bits = 0;
        var count = 0;
        void Put(ulong value, int width)
        {
            bits = (bits << width) | value;
            count += width;
        }

        if (objectType > EscapeObjectType)
        {
            Put(EscapeObjectType, 5);
            Put((ulong)(objectType - 32), 6);
        }
        else
        {
            Put((ulong)objectType, 5);
        }

        var index = AacSampleRates.IndexOf(sampleRate);
        if (index >= 0)
        {
            Put((ulong)index, 4);
        }
        else
        {
            Put(AacSampleRates.EscapeIndex, 4);
            Put((ulong)sampleRate, 24);
        }

        Put((ulong)channelConfiguration, 4);
        Put(0, 3); // frameLengthFlag, dependsOnCoreCoder, extensionFlag

        var length = (count + 7) / 8;
        bits <<= length * 8 - count;
        var result = new byte[length];
        for (var i = length - 1; i >= 0; i--)
        {
            result[i] = (byte)bits;
            bits >>= 8;
        }

        return result;
    }

    private static int ReadObjectType(ref BitReader reader)
    {
        var objectType = (int)reader.ReadBits(5);
        return objectType == EscapeObjectType ? 32 + (int)reader.ReadBits(6) : objectType;
    }

    private static (int Index, int Rate) ReadSampleRate(ref BitReader reader)
    {
        var index = (int)reader.ReadBits(4);
        var rate = index == AacSampleRates.EscapeIndex ? (int)reader.ReadBits(24) : AacSampleRates.FromIndex(index);
        return (index, rate);
    }
}
