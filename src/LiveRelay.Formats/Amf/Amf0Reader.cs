using System.Buffers.Binary;
using System.Text;

namespace LiveRelay.Formats.Amf;

/// <summary>
/// Reads AMF 0 values (Adobe "Action Message Format -- AMF 0") from a complete message, such as
/// an RTMP command or data message or an FLV script tag body.
/// </summary>
/// <remarks>
/// Malformed input throws <see cref="AmfFormatException"/> and nothing else. Every length the input
/// declares is checked against the bytes that remain before it is used, and nothing is allocated
/// from a declared length. Reference (0x07), movie clip, record set, typed object and the AVM+
/// switch to AMF 3 (0x11) are rejected. ECMA array counts are only a hint (encoders get them
/// wrong); the array ends at its object-end marker, as in FFmpeg and librtmp.
/// </remarks>
public ref struct Amf0Reader
{
    /// <summary>The deepest nesting of objects, ECMA arrays and strict arrays accepted.</summary>
    public const int MaxDepth = 32;

    // DateTimeOffset.MinValue and MaxValue in Unix milliseconds.
    private const double MinUnixMilliseconds = -62_135_596_800_000;
    private const double MaxUnixMilliseconds = 253_402_300_799_999;

    private readonly ReadOnlySpan<byte> _source;
    private int _position;

    public Amf0Reader(ReadOnlySpan<byte> source)
    {
        _source = source;
        _position = 0;
    }

    /// <summary>Bytes read so far.</summary>
    public readonly int Consumed => _position;

    /// <summary>True when every byte has been read.</summary>
    public readonly bool End => _position >= _source.Length;

    /// <summary>The bytes not read yet.</summary>
    public readonly ReadOnlySpan<byte> Remaining => _source[_position..];

    private readonly int Available => _source.Length - _position;

    /// <summary>
    /// Reads one value of any type: <see cref="double"/>, <see cref="bool"/>, <see cref="string"/>,
    /// <c>null</c>, <see cref="AmfUndefined.Value"/>, <see cref="AmfObject"/> (object or ECMA array),
    /// <see cref="List{T}"/> of <c>object?</c> (strict array) or <see cref="DateTimeOffset"/>.
    /// </summary>
    public object? ReadValue() => ReadValue(depth: 0);

    /// <summary>Reads a number (marker 0x00).</summary>
    public double ReadNumber()
    {
        Expect(Amf0Marker.Number, "a number");
        return ReadDouble();
    }

    /// <summary>Reads a boolean (marker 0x01).</summary>
    public bool ReadBoolean()
    {
        Expect(Amf0Marker.Boolean, "a boolean");
        return ReadByte() != 0;
    }

    /// <summary>Reads a string or long string (marker 0x02 or 0x0C).</summary>
    public string ReadString()
    {
        var marker = PeekMarker();
        if (marker == Amf0Marker.String)
        {
            _position++;
            return ReadUtf8(ReadUInt16());
        }

        if (marker == Amf0Marker.LongString)
        {
            _position++;
            return ReadUtf8(ReadUInt32());
        }

        throw UnexpectedType(marker, "a string");
    }

    /// <summary>Reads an anonymous object or an ECMA array (marker 0x03 or 0x08).</summary>
    public AmfObject ReadObject()
    {
        var marker = PeekMarker();
        if (marker is not (Amf0Marker.Object or Amf0Marker.EcmaArray))
        {
            throw UnexpectedType(marker, "an object");
        }

        return (AmfObject)ReadValue(depth: 0)!;
    }

    private object? ReadValue(int depth)
    {
        var offset = _position;
        var marker = (Amf0Marker)ReadByte();
        switch (marker)
        {
            // number-type = number-marker DOUBLE                (8 bytes, big-endian IEEE 754)
            case Amf0Marker.Number:
                return ReadDouble();

            // boolean-type = boolean-marker U8                  (0 is false, anything else true)
            case Amf0Marker.Boolean:
                return ReadByte() != 0;

            // string-type = string-marker UTF-8                 (U16 byte length, then the bytes)
            case Amf0Marker.String:
                return ReadUtf8(ReadUInt16());

            // long-string-type = long-string-marker UTF-8-long  (U32 byte length, then the bytes)
            // xml-document-type = xml-document-marker UTF-8-long
            case Amf0Marker.LongString:
            case Amf0Marker.XmlDocument:
                return ReadUtf8(ReadUInt32());

            // object-type = object-marker *(object-property)
            // object-property = (UTF-8 value-type) | (UTF-8-empty object-end-marker)
            case Amf0Marker.Object:
                return ReadProperties(new AmfObject(), Enter(depth, offset));

            // ecma-array-type = ecma-array-marker associative-count(U32) *(object-property)
            case Amf0Marker.EcmaArray:
                var inner = Enter(depth, offset);
                _ = ReadUInt32(); // the associative count is a hint only
                return ReadProperties(new AmfObject(isEcmaArray: true), inner);

            // strict-array-type = array-count(U32) *(value-type)
            case Amf0Marker.StrictArray:
                return ReadStrictArray(Enter(depth, offset));

            // date-type = date-marker DOUBLE time-zone(S16)     (ms since 1970-01-01 UTC; time zone reserved, 0)
            case Amf0Marker.Date:
                return ReadDate();

            case Amf0Marker.Null:
                return null;

            case Amf0Marker.Undefined:
                return AmfUndefined.Value;

            case Amf0Marker.ObjectEnd:
                throw Fail(AmfFormatError.UnexpectedObjectEnd, offset, "Object-end marker 0x09 where a value was expected");

            case Amf0Marker.AvmPlusObject:
                throw Fail(
                    AmfFormatError.AvmPlusNotSupported,
                    offset,
                    "AVM+ marker 0x11: the value is AMF 3, which is not supported; the peer must use objectEncoding 0");

            case Amf0Marker.Reference:
            case Amf0Marker.MovieClip:
            case Amf0Marker.Unsupported:
            case Amf0Marker.RecordSet:
            case Amf0Marker.TypedObject:
                throw Fail(AmfFormatError.UnsupportedMarker, offset, $"AMF 0 marker 0x{(byte)marker:X2} ({marker}) is not supported");

            default:
                throw Fail(AmfFormatError.UnknownMarker, offset, $"Unknown AMF 0 marker 0x{(byte)marker:X2}");
        }
    }

    private readonly int Enter(int depth, int offset) => depth < MaxDepth
        ? depth + 1
        : throw Fail(AmfFormatError.TooDeep, offset, $"Objects and arrays nested deeper than {MaxDepth}");

    private AmfObject ReadProperties(AmfObject target, int depth)
    {
        while (true)
        {
            // Each property is a U16-length name and a value; an empty name followed by
            // the object-end marker closes the object.
            var offset = _position;
            if (Available < 2)
            {
                throw Fail(AmfFormatError.MissingObjectEnd, offset, "The input ends inside an object (no object-end marker)");
            }

            var nameLength = ReadUInt16();
            if (nameLength == 0)
            {
                if (End || _source[_position] != (byte)Amf0Marker.ObjectEnd)
                {
                    throw Fail(AmfFormatError.MissingObjectEnd, offset, "An empty property name not followed by the object-end marker 0x09");
                }

                _position++;
                return target;
            }

            var name = ReadUtf8(nameLength);
            target[name] = ReadValue(depth); // a repeated name replaces the earlier value
        }
    }

    private List<object?> ReadStrictArray(int depth)
    {
        var offset = _position;
        var count = ReadUInt32();

        // Every element takes at least its marker byte, so a count above the remaining bytes is a lie.
        if (count > (uint)Available)
        {
            throw Fail(AmfFormatError.TooManyElements, offset, $"A strict array declares {count} elements but only {Available} bytes remain");
        }

        var items = new List<object?>(); // never sized from the declared count
        for (var i = 0u; i < count; i++)
        {
            items.Add(ReadValue(depth));
        }

        return items;
    }

    private DateTimeOffset ReadDate()
    {
        var offset = _position;
        var milliseconds = ReadDouble();
        _ = ReadUInt16(); // time zone: reserved, should be 0, ignored by every reader
        if (!double.IsFinite(milliseconds) || milliseconds < MinUnixMilliseconds || milliseconds > MaxUnixMilliseconds)
        {
            throw Fail(AmfFormatError.InvalidDate, offset, $"Date {milliseconds} ms is out of range");
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(milliseconds));
    }

    private Amf0Marker PeekMarker() => End
        ? throw Fail(AmfFormatError.Truncated, _position, "The input ends where a value was expected")
        : (Amf0Marker)_source[_position];

    private void Expect(Amf0Marker expected, string what)
    {
        var marker = PeekMarker();
        if (marker != expected)
        {
            throw UnexpectedType(marker, what);
        }

        _position++;
    }

    private readonly AmfFormatException UnexpectedType(Amf0Marker marker, string expected) =>
        Fail(AmfFormatError.UnexpectedType, _position, $"Expected {expected} but found marker 0x{(byte)marker:X2}");

    private string ReadUtf8(uint length)
    {
        if (length > (uint)Available)
        {
            throw Fail(AmfFormatError.LengthExceedsInput, _position, $"A string of {length} bytes runs past the end of the input ({Available} bytes remain)");
        }

        var text = length == 0 ? string.Empty : Encoding.UTF8.GetString(_source.Slice(_position, (int)length));
        _position += (int)length;
        return text;
    }

    private byte ReadByte()
    {
        if (End)
        {
            throw Fail(AmfFormatError.Truncated, _position, "The input ends inside a value");
        }

        return _source[_position++];
    }

    private ushort ReadUInt16()
    {
        var value = BinaryPrimitives.ReadUInt16BigEndian(Take(2));
        _position += 2;
        return value;
    }

    private uint ReadUInt32()
    {
        var value = BinaryPrimitives.ReadUInt32BigEndian(Take(4));
        _position += 4;
        return value;
    }

    private double ReadDouble()
    {
        var value = BinaryPrimitives.ReadDoubleBigEndian(Take(8));
        _position += 8;
        return value;
    }

    private readonly ReadOnlySpan<byte> Take(int length) => Available >= length
        ? _source.Slice(_position, length)
        : throw Fail(AmfFormatError.Truncated, _position, $"The input ends inside a {length}-byte field");

    private static AmfFormatException Fail(AmfFormatError reason, int offset, string message) => new(reason, offset, message);
}
