namespace LiveRelay.Formats.Flv;

/// <summary>The SoundFormat of an FLV audio tag (FLV spec v10.1, E.4.2.1).</summary>
public enum FlvSoundFormat : byte
{
    LinearPcmPlatformEndian = 0,
    Adpcm = 1,
    Mp3 = 2,
    LinearPcmLittleEndian = 3,
    Nellymoser16KhzMono = 4,
    Nellymoser8KhzMono = 5,
    Nellymoser = 6,

    /// <summary>G.711 A-law.</summary>
    G711A = 7,

    /// <summary>G.711 mu-law.</summary>
    G711U = 8,

    /// <summary>AAC; the header has a second byte, the AACPacketType.</summary>
    Aac = 10,
    Speex = 11,
    Mp3At8Khz = 14,
    DeviceSpecific = 15,
}
