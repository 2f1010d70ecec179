namespace LiveRelay.Formats.Amf;

/// <summary>
/// The AMF 0 <c>undefined</c> value (marker 0x06), kept apart from <c>null</c> (marker 0x05)
/// so that a value read and written again keeps its marker.
/// </summary>
public sealed class AmfUndefined
{
    private AmfUndefined()
    {
    }

    /// <summary>The one instance.</summary>
    public static AmfUndefined Value { get; } = new();

    public override string ToString() => "undefined";
}
