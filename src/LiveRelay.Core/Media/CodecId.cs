namespace LiveRelay.Core.Media;

/// <summary>
/// Codecs the media model carries. Payload forms: H.264/H.265 access units are
/// length-prefixed NAL units (4-byte big-endian lengths, as in AVCC/HVCC); AAC and Opus are raw frames.
/// </summary>
public enum CodecId : byte
{
    Unknown,
    H264,
    H265,
    Aac,
    Opus,
}
