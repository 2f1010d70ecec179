using System.Buffers;
using System.Buffers.Binary;

namespace LiveRelay.Formats.Flv;

/// <summary>Reads and writes FLV tags (FLV spec v10.1, E.4.1): header, body, PreviousTagSize.</summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Rsv|F| TagType |              DataSize (UI24)                  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          Timestamp (UI24, low bits, ms)       | TimestampExt  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |            StreamID (UI24, always 0)          |    Data ...   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+               +
/// |                    ... DataSize bytes ...                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |             PreviousTagSize (UI32) = 11 + DataSize            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// Rsv: reserved, 0. F: filter (encrypted body). TagType: 8 audio, 9 video, 18 script data.
/// TimestampExt holds bits 24-31 of the timestamp.
/// </code>
/// </remarks>
public static class FlvTag
{
    /// <summary>Bytes in a tag header.</summary>
    public const int HeaderLength = 11;

    /// <summary>Bytes in the PreviousTagSize field after each tag.</summary>
    public const int PreviousTagSizeLength = 4;

    /// <summary>The largest DataSize the 24-bit field can hold.</summary>
    public const int MaxDataSize = 0xFF_FFFF;

    private const byte FilterBit = 0x20;

    /// <summary>
    /// Writes an 11-byte tag header with stream id 0. The timestamp is written modulo 2^32
    /// (low 24 bits, then bits 24-31 in the extended byte).
    /// </summary>
    public static void WriteHeader(Span<byte> destination, FlvTagType type, int dataSize, long timestampMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, HeaderLength, nameof(destination));
        ArgumentOutOfRangeException.ThrowIfNegative(dataSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dataSize, MaxDataSize);
        if (type is not (FlvTagType.Audio or FlvTagType.Video or FlvTagType.Script))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Not an FLV tag type.");
        }

        var timestamp = unchecked((uint)timestampMs);
        destination[0] = (byte)type;
        WriteUInt24(destination[1..], (uint)dataSize);
        WriteUInt24(destination[4..], timestamp & 0xFF_FFFF);
        destination[7] = (byte)(timestamp >> 24);
        WriteUInt24(destination[8..], 0);
    }

    /// <summary>Writes the PreviousTagSize that follows a tag: <paramref name="tagSize"/> is header plus body (11 + DataSize).</summary>
    public static void WritePreviousTagSize(Span<byte> destination, int tagSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tagSize);
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)tagSize);
    }

    /// <summary>Writes a whole tag: header, <paramref name="data"/> and PreviousTagSize.</summary>
    public static void WriteTag(IBufferWriter<byte> output, FlvTagType type, long timestampMs, ReadOnlySpan<byte> data)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(data.Length, MaxDataSize, nameof(data));
        var total = HeaderLength + data.Length + PreviousTagSizeLength;
        var span = output.GetSpan(total);
        WriteHeader(span, type, data.Length, timestampMs);
        data.CopyTo(span[HeaderLength..]);
        WritePreviousTagSize(span[(HeaderLength + data.Length)..], HeaderLength + data.Length);
        output.Advance(total);
    }

    /// <summary>
    /// Reads one tag with its trailing PreviousTagSize. Returns false and consumes nothing when the
    /// input is incomplete; on success consumes 11 + DataSize + 4 bytes and returns the body as a
    /// slice of the input. Throws <see cref="FlvFormatException"/> for an unknown or encrypted tag
    /// type or a DataSize above <paramref name="maxDataSize"/>, as soon as those bytes are present.
    /// The PreviousTagSize value is not checked (some muxers write it wrong).
    /// </summary>
    public static bool TryReadTag(ref SequenceReader<byte> reader, int maxDataSize, out FlvTagHeader header, out ReadOnlySequence<byte> body)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDataSize);
        header = default;
        body = default;

        Span<byte> raw = stackalloc byte[HeaderLength];
        var available = (int)Math.Min(reader.Remaining, HeaderLength);
        if (available == 0 || !reader.TryCopyTo(raw[..available]))
        {
            return false;
        }

        // Limits first: judge the type and the size from the first bytes, before waiting for the body.
        var typeByte = raw[0];
        if ((typeByte & FilterBit) != 0)
        {
            throw new FlvFormatException(FlvFormatError.EncryptedTag, "FLV tag with the Filter bit set (encrypted) is not supported");
        }

        if (typeByte is not ((byte)FlvTagType.Audio or (byte)FlvTagType.Video or (byte)FlvTagType.Script))
        {
            throw new FlvFormatException(FlvFormatError.UnknownTagType, $"Unknown FLV tag type byte 0x{typeByte:X2}");
        }

        if (available < 4)
        {
            return false;
        }

        var dataSize = (int)ReadUInt24(raw[1..]);
        if (dataSize > maxDataSize)
        {
            throw new FlvFormatException(FlvFormatError.DataSizeTooLarge, $"FLV tag of {dataSize} bytes is above the limit of {maxDataSize}");
        }

        var total = HeaderLength + dataSize + PreviousTagSizeLength;
        if (available < HeaderLength || reader.Remaining < total)
        {
            return false;
        }

        var timestamp = ReadUInt24(raw[4..]) | ((uint)raw[7] << 24);
        header = new FlvTagHeader((FlvTagType)typeByte, dataSize, timestamp);
        body = reader.UnreadSequence.Slice(HeaderLength, dataSize);
        reader.Advance(total);
        return true;
    }

    private static uint ReadUInt24(ReadOnlySpan<byte> source) => (uint)(source[0] << 16 | source[1] << 8 | source[2]);

    private static void WriteUInt24(Span<byte> destination, uint value)
    {
        destination[0] = (byte)(value >> 16);
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)value;
    }
}
