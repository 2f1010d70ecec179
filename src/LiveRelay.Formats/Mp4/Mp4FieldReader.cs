using System.Buffers.Binary;

namespace LiveRelay.Formats.Mp4;

/// <summary>
/// Reads big-endian fields from the start of one box's body; running past the end throws
/// <see cref="Mp4FormatException"/> with <see cref="Mp4FormatError.BoxTooShort"/>.
/// </summary>
internal ref struct Mp4FieldReader
{
    private readonly ReadOnlySpan<byte> _body;
    private readonly uint _type;
    private readonly int _offset;

    public Mp4FieldReader(ReadOnlySpan<byte> body, uint type, int offset)
    {
        _body = body;
        _type = type;
        _offset = offset;
    }

    public int Position { get; private set; }

    public readonly int Remaining => _body.Length - Position;

    public readonly ReadOnlySpan<byte> Rest => _body[Position..];

    //  aligned(8) class FullBox (unsigned int(32) boxtype, unsigned int(8) v, bit(24) f) extends Box(boxtype) {
    //    unsigned int(8) version = v;
    //    bit(24) flags = f;
    //  }
    /// <summary>Reads a full box's version and flags, and refuses a version above <paramref name="maxVersion"/>.</summary>
    public (int Version, int Flags) ReadVersionAndFlags(int maxVersion)
    {
        var word = ReadUInt32();
        var version = (int)(word >> 24);
        if (version > maxVersion)
        {
            throw new Mp4FormatException(Mp4FormatError.UnsupportedVersion,
                $"box '{Mp4BoxType.ToString(_type)}' at byte {_offset} has version {version}; versions up to {maxVersion} are read");
        }

        return (version, (int)(word & 0xFFFFFF));
    }

    public byte ReadByte() => Take(1)[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));

    /// <summary>Reads a 32-bit field in version 0 and a 64-bit one in version 1.</summary>
    public ulong ReadUInt32Or64(int version) => version == 0 ? ReadUInt32() : ReadUInt64();

    public void Skip(int count) => Take(count);

    /// <summary>Throws unless <paramref name="count"/> more bytes are there: checks a whole table before reading it.</summary>
    public readonly void Require(long count, string what)
    {
        if (count > Remaining)
        {
            throw new Mp4FormatException(Mp4FormatError.BoxTooShort,
                $"box '{Mp4BoxType.ToString(_type)}' at byte {_offset} has {Remaining} bytes left for {what}, which needs {count}");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        Require(count, "its fields");
        var span = _body.Slice(Position, count);
        Position += count;
        return span;
    }
}
