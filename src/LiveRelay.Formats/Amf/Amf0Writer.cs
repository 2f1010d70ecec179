using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace LiveRelay.Formats.Amf;

/// <summary>
/// Writes AMF 0 values (Adobe "Action Message Format -- AMF 0") to an <see cref="IBufferWriter{T}"/>.
/// </summary>
/// <remarks>
/// The layouts are the ones <see cref="Amf0Reader"/> documents. Strings switch to the long-string
/// form above 65,535 UTF-8 bytes. Nesting deeper than <see cref="Amf0Reader.MaxDepth"/> (or a
/// collection that contains itself) is refused with <see cref="ArgumentException"/>, so what is
/// written can always be read back.
/// </remarks>
public static class Amf0Writer
{
    private static readonly byte[] s_objectEnd = [0x00, 0x00, (byte)Amf0Marker.ObjectEnd];

    /// <summary>Writes a number: marker 0x00, big-endian double.</summary>
    public static void WriteNumber(IBufferWriter<byte> output, double value)
    {
        var span = output.GetSpan(9);
        span[0] = (byte)Amf0Marker.Number;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value);
        output.Advance(9);
    }

    /// <summary>Writes a boolean: marker 0x01, then 1 or 0.</summary>
    public static void WriteBoolean(IBufferWriter<byte> output, bool value)
    {
        var span = output.GetSpan(2);
        span[0] = (byte)Amf0Marker.Boolean;
        span[1] = value ? (byte)1 : (byte)0;
        output.Advance(2);
    }

    /// <summary>
    /// Writes a string: marker 0x02 and a U16 length, or marker 0x0C and a U32 length when the
    /// UTF-8 form is longer than 65,535 bytes.
    /// </summary>
    public static void WriteString(IBufferWriter<byte> output, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var length = Encoding.UTF8.GetByteCount(value);
        if (length <= ushort.MaxValue)
        {
            var span = output.GetSpan(3 + length);
            span[0] = (byte)Amf0Marker.String;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
            Encoding.UTF8.GetBytes(value, span[3..]);
            output.Advance(3 + length);
        }
        else
        {
            var span = output.GetSpan(5 + length);
            span[0] = (byte)Amf0Marker.LongString;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
            Encoding.UTF8.GetBytes(value, span[5..]);
            output.Advance(5 + length);
        }
    }

    /// <summary>Writes null: marker 0x05.</summary>
    public static void WriteNull(IBufferWriter<byte> output) => WriteMarker(output, Amf0Marker.Null);

    /// <summary>Writes undefined: marker 0x06.</summary>
    public static void WriteUndefined(IBufferWriter<byte> output) => WriteMarker(output, Amf0Marker.Undefined);

    /// <summary>Writes an anonymous object (marker 0x03), whatever <see cref="AmfObject.IsEcmaArray"/> says.</summary>
    public static void WriteObject(IBufferWriter<byte> output, AmfObject value) => WriteObject(output, value, depth: 0);

    /// <summary>Writes an ECMA array (marker 0x08), whatever <see cref="AmfObject.IsEcmaArray"/> says.</summary>
    public static void WriteEcmaArray(IBufferWriter<byte> output, AmfObject value) => WriteEcmaArray(output, value, depth: 0);

    /// <summary>Writes a strict array: marker 0x0A, U32 count, then each value.</summary>
    public static void WriteStrictArray(IBufferWriter<byte> output, IEnumerable<object?> items) => WriteStrictArray(output, items, depth: 0);

    /// <summary>Writes a date: marker 0x0B, Unix milliseconds as a double, time zone 0.</summary>
    public static void WriteDate(IBufferWriter<byte> output, DateTimeOffset value)
    {
        var span = output.GetSpan(11);
        span[0] = (byte)Amf0Marker.Date;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt16BigEndian(span[9..], 0);
        output.Advance(11);
    }

    /// <summary>
    /// Writes any supported value: null, <see cref="AmfUndefined"/>, numbers (<see cref="double"/>,
    /// <see cref="float"/>, <see cref="int"/>, <see cref="long"/> and the other integer types),
    /// <see cref="bool"/>, <see cref="string"/>, <see cref="AmfObject"/> (as an object or an ECMA array
    /// by its flag), <see cref="DateTimeOffset"/>, and any <see cref="IEnumerable{T}"/> of reference-typed
    /// items (a strict array). Other types throw <see cref="ArgumentException"/>.
    /// </summary>
    public static void WriteValue(IBufferWriter<byte> output, object? value) => WriteValue(output, value, depth: 0);

    private static void WriteValue(IBufferWriter<byte> output, object? value, int depth)
    {
        switch (value)
        {
            case null:
                WriteNull(output);
                break;
            case AmfUndefined:
                WriteUndefined(output);
                break;
            case bool b:
                WriteBoolean(output, b);
                break;
            case string s:
                WriteString(output, s);
                break;
            case AmfObject o when o.IsEcmaArray:
                WriteEcmaArray(output, o, depth);
                break;
            case AmfObject o:
                WriteObject(output, o, depth);
                break;
            case DateTimeOffset date:
                WriteDate(output, date);
                break;
            case IEnumerable<object?> items:
                WriteStrictArray(output, items, depth);
                break;
            default:
                if (!AmfNumber.TryConvert(value, out var number))
                {
                    throw new ArgumentException($"AMF 0 cannot carry a value of type {value.GetType()}.", nameof(value));
                }

                WriteNumber(output, number);
                break;
        }
    }

    private static void WriteObject(IBufferWriter<byte> output, AmfObject value, int depth)
    {
        ArgumentNullException.ThrowIfNull(value);
        var inner = Enter(depth);
        WriteMarker(output, Amf0Marker.Object);
        WriteProperties(output, value, inner);
    }

    private static void WriteEcmaArray(IBufferWriter<byte> output, AmfObject value, int depth)
    {
        ArgumentNullException.ThrowIfNull(value);
        var inner = Enter(depth);
        var span = output.GetSpan(5);
        span[0] = (byte)Amf0Marker.EcmaArray;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)value.Count);
        output.Advance(5);
        WriteProperties(output, value, inner);
    }

    private static void WriteProperties(IBufferWriter<byte> output, AmfObject value, int depth)
    {
        foreach (var (name, item) in value)
        {
            WriteName(output, name);
            WriteValue(output, item, depth);
        }

        output.Write(s_objectEnd);
    }

    private static void WriteStrictArray(IBufferWriter<byte> output, IEnumerable<object?> items, int depth)
    {
        ArgumentNullException.ThrowIfNull(items);
        var inner = Enter(depth);
        var count = items switch
        {
            IReadOnlyCollection<object?> c => c.Count,
            ICollection<object?> c => c.Count,
            _ => -1,
        };
        if (count < 0)
        {
            items = items.ToList();
            count = ((List<object?>)items).Count;
        }

        var span = output.GetSpan(5);
        span[0] = (byte)Amf0Marker.StrictArray;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)count);
        output.Advance(5);

        var written = 0;
        foreach (var item in items)
        {
            WriteValue(output, item, inner);
            written++;
        }

        if (written != count)
        {
            throw new InvalidOperationException($"The collection reported {count} items but enumerated {written}.");
        }
    }

    // A property name is a UTF-8 string without a marker: U16 length, then the bytes.
    private static void WriteName(IBufferWriter<byte> output, string name)
    {
        var length = Encoding.UTF8.GetByteCount(name);
        if (length == 0)
        {
            throw new ArgumentException("An AMF 0 property name cannot be empty: an empty name ends the object.", nameof(name));
        }

        if (length > ushort.MaxValue)
        {
            throw new ArgumentException($"An AMF 0 property name is at most 65,535 UTF-8 bytes; this one is {length}.", nameof(name));
        }

        var span = output.GetSpan(2 + length);
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)length);
        Encoding.UTF8.GetBytes(name, span[2..]);
        output.Advance(2 + length);
    }

    private static void WriteMarker(IBufferWriter<byte> output, Amf0Marker marker)
    {
        output.GetSpan(1)[0] = (byte)marker;
        output.Advance(1);
    }

    private static int Enter(int depth) => depth < Amf0Reader.MaxDepth
        ? depth + 1
        : throw new ArgumentException($"AMF 0 values nested deeper than {Amf0Reader.MaxDepth} (or a collection that contains itself) cannot be written.");
}
