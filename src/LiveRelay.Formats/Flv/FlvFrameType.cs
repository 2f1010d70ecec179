namespace LiveRelay.Formats.Flv;

/// <summary>The FrameType of an FLV video tag.</summary>
public enum FlvFrameType : byte
{
    /// <summary>A seekable frame (IDR/IRAP for AVC and HEVC).</summary>
    Keyframe = 1,

    /// <summary>A non-seekable frame.</summary>
    InterFrame = 2,

    /// <summary>A disposable inter frame (defined for H.263; some encoders use it for non-reference frames).</summary>
    DisposableInterFrame = 3,

    /// <summary>A generated keyframe (reserved for server use).</summary>
    GeneratedKeyframe = 4,

    /// <summary>A video info/command frame: no video data.</summary>
    Command = 5,
}
