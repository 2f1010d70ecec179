namespace LiveRelay.Formats.Flv;

/// <summary>FLV tag types, equal to the RTMP message type ids of the same payloads.</summary>
public enum FlvTagType : byte
{
    Audio = 8,
    Video = 9,
    Script = 18,
}
