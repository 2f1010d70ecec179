namespace LiveRelay.Formats.Amf;

/// <summary>Why an AMF 0 encoding was rejected; stable, for logs and metrics.</summary>
public enum AmfFormatError
{
    /// <summary>The input ends inside a marker or a fixed-size field.</summary>
    Truncated,

    /// <summary>A string length runs past the end of the input.</summary>
    LengthExceedsInput,

    /// <summary>A strict array declares more elements than the remaining bytes could hold.</summary>
    TooManyElements,

    /// <summary>Objects and arrays are nested deeper than <see cref="Amf0Reader.MaxDepth"/>.</summary>
    TooDeep,

    /// <summary>An object or ECMA array is not closed by an empty name and the object-end marker (0x09).</summary>
    MissingObjectEnd,

    /// <summary>An object-end marker (0x09) where a value was expected.</summary>
    UnexpectedObjectEnd,

    /// <summary>A marker outside AMF 0 (above 0x11).</summary>
    UnknownMarker,

    /// <summary>A defined AMF 0 marker this reader does not accept: movie clip, reference, unsupported, record set, typed object.</summary>
    UnsupportedMarker,

    /// <summary>The AVM+ marker (0x11): the peer switched to AMF 3.</summary>
    AvmPlusNotSupported,

    /// <summary>A date that is not finite or lies outside the range of <see cref="DateTimeOffset"/>.</summary>
    InvalidDate,

    /// <summary>A typed read (<see cref="Amf0Reader.ReadNumber"/> and friends) found a value of another type.</summary>
    UnexpectedType,
}
