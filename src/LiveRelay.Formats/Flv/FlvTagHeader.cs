namespace LiveRelay.Formats.Flv;

/// <summary>The fields of an FLV tag header.</summary>
/// <param name="Type">Audio, video or script data.</param>
/// <param name="DataSize">Bytes in the tag body.</param>
/// <param name="TimestampMs">
/// Decode timestamp in milliseconds: the 24-bit field and the extended byte as one unsigned 32-bit
/// value (0 to 2^32 − 1; it wraps after about 49.7 days, as RTMP timestamps do).
/// </param>
public readonly record struct FlvTagHeader(FlvTagType Type, int DataSize, long TimestampMs);
