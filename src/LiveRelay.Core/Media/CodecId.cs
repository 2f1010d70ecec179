namespace LiveRelay.Core.Media;

/// <summary>
/// Codecs the media model carries. Payload forms: H.264/H.265 access units are
/// length-prefixed NAL units (4-byte big-endian lengths, as in AVCC/HVCC); AAC and Opus are raw frames;
/// G.711 is 8-bit samples at 8 kHz (IP cameras), carried only where players take it (RTMP, FLV).
/// </summary>
public enum CodecId : byte
{
    Unknown,
    H264,
    H265,
    Aac,
    Opus,

    /// <summary>G.711 A-law (RTP PCMA).</summary>
    G711A,

    /// <summary>G.711 µ-law (RTP PCMU).</summary>
    G711U,
}
