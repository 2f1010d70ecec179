namespace LiveRelay.Formats.Amf;

/// <summary>Thrown by <see cref="Amf0Reader"/> for malformed or unsupported AMF 0 input.</summary>
public sealed class AmfFormatException : FormatException
{
    public AmfFormatException(AmfFormatError reason, int offset, string message)
        : base($"{message} (AMF 0, byte {offset})")
    {
        Reason = reason;
        Offset = offset;
    }

    /// <summary>Why the input was rejected.</summary>
    public AmfFormatError Reason { get; }

    /// <summary>The offset in the input where the problem was found.</summary>
    public int Offset { get; }
}
