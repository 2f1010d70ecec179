namespace LiveRelay.Formats.Flv;

/// <summary>Thrown for malformed or unsupported FLV input.</summary>
public sealed class FlvFormatException : FormatException
{
    public FlvFormatException(FlvFormatError reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Why the input was rejected.</summary>
    public FlvFormatError Reason { get; }
}
