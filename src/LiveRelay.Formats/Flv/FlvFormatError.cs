namespace LiveRelay.Formats.Flv;

/// <summary>Why FLV input was rejected; stable, for logs and metrics.</summary>
public enum FlvFormatError
{
    /// <summary>The file does not start with "FLV".</summary>
    InvalidSignature,

    /// <summary>The header's version is not 1.</summary>
    UnsupportedVersion,

    /// <summary>The header's DataOffset is smaller than the 9-byte header.</summary>
    InvalidDataOffset,

    /// <summary>The tag's Filter bit is set: the body is encrypted (FMS DRM), which is not supported.</summary>
    EncryptedTag,

    /// <summary>The tag type is not audio (8), video (9) or script data (18), or reserved bits are set.</summary>
    UnknownTagType,

    /// <summary>The tag's DataSize is above the caller's limit.</summary>
    DataSizeTooLarge,
}
