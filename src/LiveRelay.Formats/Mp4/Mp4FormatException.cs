namespace LiveRelay.Formats.Mp4;

/// <summary>Thrown for malformed or unsupported ISO BMFF (MP4, fMP4) input.</summary>
public sealed class Mp4FormatException : FormatException
{
    public Mp4FormatException(Mp4FormatError reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Why the input was rejected.</summary>
    public Mp4FormatError Reason { get; }
}
