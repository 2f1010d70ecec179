namespace LiveRelay.Codecs;

/// <summary>
/// Reads bits most-significant first, with the exp-Golomb codes of H.264/H.265 (ue(v), se(v)).
/// Over an RBSP it drops emulation-prevention bytes (<c>00 00 03</c> → <c>00 00</c>) as it goes,
/// so parameter sets are parsed in place without an unescaped copy.
/// </summary>
/// <remarks>
/// Reading past the end never throws: it sets <see cref="HasError"/> and returns zeros, so a parser
/// reads a whole structure and checks the flag once. Callers bound every loop by a spec limit,
/// never by a value read after an error.
/// </remarks>
internal ref struct BitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly bool _removeEmulationPrevention;
    private int _next;
    private int _current;
    private int _bitsLeft;
    private int _zeroRun;

    public BitReader(ReadOnlySpan<byte> data, bool removeEmulationPrevention)
    {
        _data = data;
        _removeEmulationPrevention = removeEmulationPrevention;
    }

    /// <summary>True once a read ran past the end or an exp-Golomb code was too long.</summary>
    public bool HasError { get; private set; }

    /// <summary>Bits read so far from the unescaped stream (for tests and diagnostics).</summary>
    public int BitsConsumed { get; private set; }

    public uint ReadBit()
    {
        if (_bitsLeft == 0 && !LoadByte())
        {
            HasError = true;
            return 0;
        }

        _bitsLeft--;
        BitsConsumed++;
        return (uint)(_current >> _bitsLeft) & 1;
    }

    public bool ReadFlag() => ReadBit() != 0;

    /// <summary>Reads <paramref name="count"/> bits (0–32) as an unsigned number.</summary>
    public uint ReadBits(int count)
    {
        if ((uint)count > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        uint value = 0;
        for (var i = 0; i < count && !HasError; i++)
        {
            value = (value << 1) | ReadBit();
        }

        return HasError ? 0 : value;
    }

    public void Skip(int count)
    {
        for (var i = 0; i < count && !HasError; i++)
        {
            ReadBit();
        }
    }

    // ue(v): leadingZeroBits zeros, a one, then leadingZeroBits bits.
    //   1 → 0, 010 → 1, 011 → 2, 00100 → 3 ... codeNum = 2^lz − 1 + bits.
    /// <summary>Reads ue(v). Codes longer than 32 bits (values above 2^32 − 2) set <see cref="HasError"/>.</summary>
    public uint ReadUe()
    {
        var leadingZeros = 0;
        while (ReadBit() == 0)
        {
            if (HasError || ++leadingZeros > 31)
            {
                HasError = true;
                return 0;
            }
        }

        if (leadingZeros == 0)
        {
            return 0;
        }

        var suffix = ReadBits(leadingZeros);
        return HasError ? 0 : (uint)((1UL << leadingZeros) - 1 + suffix);
    }

    // se(v): codeNum k maps to (−1)^(k+1) × Ceil(k ÷ 2): 0, 1, −1, 2, −2 ...
    /// <summary>Reads se(v).</summary>
    public int ReadSe()
    {
        var k = ReadUe();
        return (k & 1) != 0 ? (int)((k + 1) / 2) : -(int)(k / 2);
    }

    private bool LoadByte()
    {
        if (_next >= _data.Length)
        {
            return false;
        }

        var value = _data[_next++];
        if (_removeEmulationPrevention && _zeroRun >= 2 && value == 0x03)
        {
            _zeroRun = 0;
            if (_next >= _data.Length)
            {
                return false;
            }

            value = _data[_next++];
        }

        _zeroRun = value == 0 ? _zeroRun + 1 : 0;
        _current = value;
        _bitsLeft = 8;
        return true;
    }
}
