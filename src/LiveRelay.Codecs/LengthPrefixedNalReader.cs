using System.Buffers.Binary;

namespace LiveRelay.Codecs;

/// <summary>
/// Walks the NAL units of one length-prefixed (AVCC/HVCC) access unit. Stops, with
/// <see cref="IsMalformed"/> set, at a length that runs past the end.
/// </summary>
internal ref struct LengthPrefixedNalReader
{
    private readonly int _lengthSize;
    private ReadOnlySpan<byte> _remaining;

    public LengthPrefixedNalReader(ReadOnlySpan<byte> accessUnit, int lengthSize)
    {
        if (lengthSize is < 1 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(lengthSize), lengthSize, "NAL unit length size must be 1 to 4 bytes.");
        }

        _remaining = accessUnit;
        _lengthSize = lengthSize;
    }

    /// <summary>True when a length prefix was cut short or pointed past the end of the access unit.</summary>
    public bool IsMalformed { get; private set; }

    //  +-----------------+-----------------+-----------------+-----------------+---
    //  | length (N B, BE)| NAL unit        | length (N B, BE)| NAL unit        | ...   N = 1, 2, 3 or 4
    //  +-----------------+-----------------+-----------------+-----------------+---
    /// <summary>Reads the next NAL unit (possibly empty). False at the end or at a malformed length.</summary>
    public bool TryReadNext(out ReadOnlySpan<byte> nalUnit)
    {
        nalUnit = default;
        if (_remaining.IsEmpty || IsMalformed)
        {
            return false;
        }

        if (_remaining.Length < _lengthSize)
        {
            IsMalformed = true;
            return false;
        }

        var length = _lengthSize switch
        {
            1 => _remaining[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(_remaining),
            3 => (uint)(_remaining[0] << 16 | _remaining[1] << 8 | _remaining[2]),
            _ => BinaryPrimitives.ReadUInt32BigEndian(_remaining),
        };

        var body = _remaining[_lengthSize..];
        if (length > (uint)body.Length)
        {
            IsMalformed = true;
            return false;
        }

        nalUnit = body[..(int)length];
        _remaining = body[(int)length..];
        return true;
    }

    /// <summary>
    /// True when the access unit contains a random access slice of the codec (H.264 IDR, H.265 IRAP).
    /// A malformed length ends the scan: only NAL units before it count.
    /// </summary>
    public static bool ContainsRandomAccess<TSyntax>(ReadOnlySpan<byte> accessUnit, int lengthSize)
        where TSyntax : INalSyntax
    {
        var reader = new LengthPrefixedNalReader(accessUnit, lengthSize);
        while (reader.TryReadNext(out var nal))
        {
            if (!nal.IsEmpty && TSyntax.IsRandomAccess(nal[0]))
            {
                return true;
            }
        }

        return false;
    }
}
