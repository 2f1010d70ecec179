namespace LiveRelay.Formats.Flv;

/// <summary>
/// The video codecs an FLV video tag can carry here. Legacy codec ids keep their 4-bit values;
/// codecs only Enhanced RTMP signals carry their FourCC as the value (big-endian ASCII, the same
/// number Enhanced RTMP puts in onMetaData's videocodecid). A codec is one member whichever way it
/// was signalled: HEVC as legacy id 12 and HEVC as FourCC 'hvc1' are both <see cref="Hevc"/>, told
/// apart by <see cref="FlvVideoHeader.IsEnhanced"/>.
/// </summary>
public enum FlvVideoCodec : uint
{
    /// <summary>H.264: legacy codec id 7, or Enhanced RTMP FourCC 'avc1' (v2).</summary>
    Avc = 7,

    /// <summary>H.265: legacy codec id 12 (the extension Chinese CDNs use), or Enhanced RTMP FourCC 'hvc1'.</summary>
    Hevc = 12,

    /// <summary>AV1: Enhanced RTMP FourCC 'av01'.</summary>
    Av1 = 0x6176_3031,

    /// <summary>VP9: Enhanced RTMP FourCC 'vp09'.</summary>
    Vp9 = 0x7670_3039,
}
