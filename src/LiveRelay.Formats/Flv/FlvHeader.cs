using System.Buffers.Binary;

namespace LiveRelay.Formats.Flv;

/// <summary>The FLV file header (FLV spec v10.1, E.2) and the PreviousTagSize0 that follows it.</summary>
/// <remarks>
/// <code>
///  0     1     2     3         4           5  6  7  8           9 10 11 12
/// +-----+-----+-----+---------+-----------+------------+       +-----------------+
/// | 'F' | 'L' | 'V' | Version | TypeFlags | DataOffset |       | PreviousTagSize0|
/// |     |     |     |   = 1   |           | UI32 = 9   |       | UI32 = 0        |
/// +-----+-----+-----+---------+-----------+------------+       +-----------------+
/// TypeFlags: | reserved UB[5] = 0 | audio UB[1] | reserved UB[1] = 0 | video UB[1] |
/// </code>
/// </remarks>
public static class FlvHeader
{
    /// <summary>Bytes in the header proper.</summary>
    public const int Length = 9;

    /// <summary>Bytes in the header plus PreviousTagSize0: what <see cref="Write"/> writes.</summary>
    public const int LengthWithFirstTagSize = 13;

    private const byte Version = 1;
    private const byte AudioFlag = 0x04;
    private const byte VideoFlag = 0x01;

    /// <summary>Writes the 9-byte header and PreviousTagSize0 (13 bytes).</summary>
    public static void Write(Span<byte> destination, bool hasAudio, bool hasVideo)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, LengthWithFirstTagSize, nameof(destination));
        destination[0] = (byte)'F';
        destination[1] = (byte)'L';
        destination[2] = (byte)'V';
        destination[3] = Version;
        destination[4] = (byte)((hasAudio ? AudioFlag : 0) | (hasVideo ? VideoFlag : 0));
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], Length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[9..], 0);
    }

    /// <summary>
    /// Reads the 9-byte header. Returns false when fewer than 9 bytes are available; throws
    /// <see cref="FlvFormatException"/> when the bytes are not an FLV version 1 header.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out bool hasAudio, out bool hasVideo) =>
        TryRead(source, out hasAudio, out hasVideo, out _);

    /// <summary>
    /// Reads the 9-byte header, with the DataOffset at which PreviousTagSize0 and the first tag follow
    /// (9 in every file seen in practice). Returns false when fewer than 9 bytes are available; throws
    /// <see cref="FlvFormatException"/> when the bytes are not an FLV version 1 header.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out bool hasAudio, out bool hasVideo, out int dataOffset)
    {
        hasAudio = false;
        hasVideo = false;
        dataOffset = 0;

        // Reject a wrong signature as soon as its bytes are there, not after waiting for 9.
        ReadOnlySpan<byte> signature = "FLV"u8;
        var prefix = Math.Min(source.Length, signature.Length);
        if (!source[..prefix].SequenceEqual(signature[..prefix]))
        {
            throw new FlvFormatException(FlvFormatError.InvalidSignature, "The input does not start with the FLV signature");
        }

        if (source.Length < Length)
        {
            return false;
        }

        if (source[3] != Version)
        {
            throw new FlvFormatException(FlvFormatError.UnsupportedVersion, $"FLV version {source[3]} is not supported");
        }

        var offset = BinaryPrimitives.ReadUInt32BigEndian(source[5..]);
        if (offset is < Length or > int.MaxValue)
        {
            throw new FlvFormatException(FlvFormatError.InvalidDataOffset, $"FLV DataOffset {offset} is invalid");
        }

        hasAudio = (source[4] & AudioFlag) != 0;
        hasVideo = (source[4] & VideoFlag) != 0;
        dataOffset = (int)offset;
        return true;
    }
}
