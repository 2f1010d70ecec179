namespace LiveRelay.Protocols.Rtmp.Chunks;

/// <summary>Why a peer's RTMP was refused. Ends up in the log and the metrics.</summary>
public enum RtmpRejectReason
{
    HandshakeVersion,
    HandshakeTimeout,
    ChunkSizeInvalid,
    MessageTooLarge,
    TooManyChunkStreams,
    UnknownChunkStream,
    ChunkStreamIdInvalid,
    MalformedControlMessage,
    MalformedCommand,
}

/// <summary>The peer broke the RTMP protocol; the connection ends, nothing else does.</summary>
public sealed class RtmpProtocolException(RtmpRejectReason reason, string message) : Exception(message)
{
    public RtmpRejectReason Reason { get; } = reason;
}
