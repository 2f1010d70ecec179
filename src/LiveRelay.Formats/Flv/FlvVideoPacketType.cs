namespace LiveRelay.Formats.Flv;

/// <summary>
/// What a video tag carries: the legacy AVCPacketType (0-2) or the Enhanced RTMP PacketType (0-5),
/// which share their values.
/// </summary>
public enum FlvVideoPacketType : byte
{
    /// <summary>Decoder configuration record (AVC/HEVC/AV1/VP9).</summary>
    SequenceStart = 0,

    /// <summary>Coded frames; for AVC and HEVC preceded by an SI24 composition time.</summary>
    CodedFrames = 1,

    /// <summary>End of sequence, no payload.</summary>
    EndOfSequence = 2,

    /// <summary>Enhanced: coded frames with an implied composition time of zero (no SI24 on the wire).</summary>
    CodedFramesX = 3,

    /// <summary>Enhanced: an AMF-encoded metadata body (e.g. colorInfo), no video data.</summary>
    Metadata = 4,

    /// <summary>Enhanced: an AV1 MPEG-2 TS video descriptor instead of a configuration record.</summary>
    Mpeg2TsSequenceStart = 5,
}
