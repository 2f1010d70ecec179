namespace LiveRelay.Codecs.Tests;

/// <summary>Builds bit strings for hand-made vectors: fixed-width fields, exp-Golomb codes, RBSP escaping.</summary>
internal sealed class TestBitWriter
{
    private readonly List<bool> _bits = [];

    public TestBitWriter Bits(ulong value, int count)
    {
        for (var i = count - 1; i >= 0; i--)
        {
            _bits.Add(((value >> i) & 1) != 0);
        }

        return this;
    }

    public TestBitWriter Flag(bool value) => Bits(value ? 1u : 0u, 1);

    public TestBitWriter Ue(ulong value)
    {
        var codeNum = value + 1;
        var length = 64 - ulong.LeadingZeroCount(codeNum);
        Bits(0, (int)length - 1);
        return Bits(codeNum, (int)length);
    }

    public TestBitWriter Se(long value) => Ue(value > 0 ? (ulong)(2 * value - 1) : (ulong)(-2 * value));

    /// <summary>rbsp_stop_one_bit and zero bits up to the byte boundary.</summary>
    public TestBitWriter TrailingBits()
    {
        Flag(true);
        while (_bits.Count % 8 != 0)
        {
            _bits.Add(false);
        }

        return this;
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[(_bits.Count + 7) / 8];
        for (var i = 0; i < _bits.Count; i++)
        {
            if (_bits[i])
            {
                bytes[i / 8] |= (byte)(0x80 >> (i % 8));
            }
        }

        return bytes;
    }

    /// <summary>A NAL unit: header byte, then the RBSP with emulation-prevention bytes inserted.</summary>
    public byte[] ToNalUnit(byte header)
    {
        var result = new List<byte> { header };
        var zeros = 0;
        foreach (var b in ToBytes())
        {
            if (zeros >= 2 && b <= 3)
            {
                result.Add(3);
                zeros = 0;
            }

            result.Add(b);
            zeros = b == 0 ? zeros + 1 : 0;
        }

        return [.. result];
    }
}
