namespace LiveRelay.Codecs.Aac;

/// <summary>The fields of one ADTS frame header.</summary>
/// <param name="ObjectType">audioObjectType (ADTS profile + 1): 1 Main, 2 LC, 3 SSR, 4 LTP.</param>
/// <param name="SampleRateIndex">sampling_frequency_index.</param>
/// <param name="SampleRate">Sampling rate in Hz.</param>
/// <param name="Channels">channel_configuration (0 means defined in-band).</param>
/// <param name="FrameLength">aac_frame_length: the whole frame, header included.</param>
/// <param name="HeaderLength">7, or 9 when a CRC follows the header.</param>
public readonly record struct AdtsHeader(int ObjectType, int SampleRateIndex, int SampleRate, int Channels, int FrameLength, int HeaderLength)
{
    /// <summary>Bytes of raw AAC data after the header (and CRC).</summary>
    public int PayloadLength => FrameLength - HeaderLength;

    /// <summary>The AudioSpecificConfig this header implies.</summary>
    public AudioSpecificConfig ToAudioSpecificConfig() => new(ObjectType, SampleRateIndex, SampleRate, Channels);
}
