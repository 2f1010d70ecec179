using System.Buffers.Binary;

namespace LiveRelay.Formats.Mp4;

/// <summary>The header of one ISO BMFF box (ISO/IEC 14496-12 4.2).</summary>
/// <param name="Type">The box type, a four-character code as a big-endian value (see <see cref="Mp4BoxType"/>).</param>
/// <param name="HeaderLength">Bytes of the header: 8, 16 with a largesize, 16 more for a <c>uuid</c> box's usertype.</param>
/// <param name="Size">The declared size of the whole box, header included; 0 when the box extends to the end of its container.</param>
public readonly record struct Mp4BoxHeader(uint Type, int HeaderLength, ulong Size)
{
    /// <summary>Bytes of the smallest header: size and type.</summary>
    public const int MinLength = 8;

    private const int UserTypeLength = 16;

    /// <summary>True when the size field is 0: the box runs to the end of its container (or of the file).</summary>
    public bool ExtendsToEnd => Size == 0;

    //  aligned(8) class Box (unsigned int(32) boxtype, optional unsigned int(8)[16] extended_type) {
    //    unsigned int(32) size;                 // 0: to the end of the file, 1: largesize follows
    //    unsigned int(32) type = boxtype;
    //    if (size == 1) { unsigned int(64) largesize; }
    //    if (boxtype == 'uuid') { unsigned int(8)[16] usertype = extended_type; }
    //  }
    /// <summary>
    /// Reads the header at the start of <paramref name="input"/>. Returns false, never throws, when the input
    /// is shorter than the header it starts. The size is not checked against the input or the header length.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> input, out Mp4BoxHeader header)
    {
        header = default;
        if (input.Length < MinLength)
        {
            return false;
        }

        ulong size = BinaryPrimitives.ReadUInt32BigEndian(input);
        var type = BinaryPrimitives.ReadUInt32BigEndian(input[4..]);
        var length = MinLength;
        if (size == 1)
        {
            if (input.Length < length + 8)
            {
                return false;
            }

            size = BinaryPrimitives.ReadUInt64BigEndian(input[length..]);
            length += 8;
        }

        if (type == Mp4BoxType.Uuid)
        {
            if (input.Length < length + UserTypeLength)
            {
                return false;
            }

            length += UserTypeLength;
        }

        header = new Mp4BoxHeader(type, length, size);
        return true;
    }

    public override string ToString() => $"{Mp4BoxType.ToString(Type)} size={Size} header={HeaderLength}";
}
