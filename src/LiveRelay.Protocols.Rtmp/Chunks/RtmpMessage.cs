using LiveRelay.Core.Buffers;

namespace LiveRelay.Protocols.Rtmp.Chunks;

/// <summary>
/// One reassembled RTMP message. The receiver owns one reference to <see cref="Payload"/> and
/// must release it (or hand it over, as the ingest does to a media frame).
/// </summary>
public readonly record struct RtmpMessage(byte TypeId, uint StreamId, uint Timestamp, int ChunkStreamId, MediaBuffer Payload)
{
    public ReadOnlySpan<byte> Span => Payload.Span;
}
