using System.Buffers.Binary;

namespace LiveRelay.Formats.Mp4;

/// <summary>
/// Walks the boxes that lie back to back in a buffer (a file, a segment, or one box's body), checking each
/// declared size against what is left before handing the box out. No I/O, no allocation.
/// </summary>
/// <remarks>
/// Limits: a box must fit its container (size 0 runs to the end of it, size 1 takes the 64-bit largesize),
/// must be at least as long as its header, and may be nested at most <see cref="MaxDepth"/> levels deep.
/// Fewer than 8 bytes of zeros at the end of a container are a terminator (QuickTime writes one), not a box.
/// </remarks>
public ref struct Mp4BoxReader
{
    /// <summary>Levels of nesting allowed: the boxes of the outermost buffer are level 0.</summary>
    public const int MaxDepth = 16;

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _baseOffset;
    private int _position;

    /// <summary>Reads the top-level boxes of <paramref name="data"/>.</summary>
    public Mp4BoxReader(ReadOnlySpan<byte> data)
        : this(data, 0, 0)
    {
    }

    internal Mp4BoxReader(ReadOnlySpan<byte> data, int baseOffset, int depth)
    {
        if (depth >= MaxDepth)
        {
            throw new Mp4FormatException(Mp4FormatError.NestingTooDeep, $"boxes are nested more than {MaxDepth} levels deep (at byte {baseOffset})");
        }

        _data = data;
        _baseOffset = baseOffset;
        Depth = depth;
    }

    /// <summary>The nesting level of the boxes this reader hands out.</summary>
    public int Depth { get; }

    /// <summary>
    /// Moves to the next box. Returns false at the end of the buffer; throws <see cref="Mp4FormatException"/>
    /// when the next box's header or declared size does not fit.
    /// </summary>
    public bool TryReadNext(out Mp4Box box)
    {
        box = default;
        var remaining = _data[_position..];
        if (remaining.IsEmpty || (remaining.Length < Mp4BoxHeader.MinLength && !remaining.ContainsAnyExcept((byte)0)))
        {
            _position = _data.Length;
            return false;
        }

        var offset = _baseOffset + _position;
        if (!Mp4BoxHeader.TryRead(remaining, out var header))
        {
            throw new Mp4FormatException(Mp4FormatError.BoxTruncated, $"a box header at byte {offset} runs past the end of its container ({remaining.Length} bytes left)");
        }

        var name = Mp4BoxType.ToString(header.Type);
        ulong size;
        if (header.ExtendsToEnd)
        {
            if (BinaryPrimitives.ReadUInt32BigEndian(remaining) != 0)
            {
                throw new Mp4FormatException(Mp4FormatError.InvalidBoxSize, $"box '{name}' at byte {offset} has a largesize of 0");
            }

            size = (ulong)remaining.Length;
        }
        else
        {
            size = header.Size;
        }

        if (size < (ulong)header.HeaderLength)
        {
            throw new Mp4FormatException(Mp4FormatError.InvalidBoxSize, $"box '{name}' at byte {offset} declares {size} bytes, less than its {header.HeaderLength}-byte header");
        }

        if (size > (ulong)remaining.Length)
        {
            throw new Mp4FormatException(Mp4FormatError.BoxTruncated, $"box '{name}' at byte {offset} declares {size} bytes but only {remaining.Length} are left in its container");
        }

        var length = (int)size;
        box = new Mp4Box(header.Type, offset, header.HeaderLength, remaining[header.HeaderLength..length], Depth);
        _position += length;
        return true;
    }
}

/// <summary>One box handed out by <see cref="Mp4BoxReader"/>: its type, where it starts, and its body.</summary>
public readonly ref struct Mp4Box
{
    internal Mp4Box(uint type, int offset, int headerLength, ReadOnlySpan<byte> body, int depth)
    {
        Type = type;
        Offset = offset;
        HeaderLength = headerLength;
        Body = body;
        Depth = depth;
    }

    /// <summary>The box type (see <see cref="Mp4BoxType"/>).</summary>
    public uint Type { get; }

    /// <summary>The box type as text, e.g. <c>moof</c>.</summary>
    public string Name => Mp4BoxType.ToString(Type);

    /// <summary>Where the box starts, counted from the start of the outermost reader's buffer.</summary>
    public int Offset { get; }

    /// <summary>Bytes of the header in front of <see cref="Body"/>.</summary>
    public int HeaderLength { get; }

    /// <summary>The bytes after the header, up to the end of the box.</summary>
    public ReadOnlySpan<byte> Body { get; }

    /// <summary>The nesting level: 0 for the boxes of the outermost buffer.</summary>
    public int Depth { get; }

    /// <summary>The boxes in the body after <paramref name="skip"/> bytes of fields (a full box's version and flags, a sample entry's fields).</summary>
    /// <exception cref="Mp4FormatException">The body is shorter than <paramref name="skip"/>, or the children would be nested too deep.</exception>
    public Mp4BoxReader Children(int skip = 0)
    {
        if (Body.Length < skip)
        {
            throw new Mp4FormatException(Mp4FormatError.BoxTooShort, $"box '{Name}' at byte {Offset} is {Body.Length} bytes, shorter than its {skip} bytes of fields");
        }

        return new Mp4BoxReader(Body[skip..], Offset + HeaderLength + skip, Depth + 1);
    }

    /// <summary>A reader for the fields at the start of the body.</summary>
    internal Mp4FieldReader Fields() => new(Body, Type, Offset);
}
