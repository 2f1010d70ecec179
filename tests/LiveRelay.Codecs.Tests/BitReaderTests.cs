namespace LiveRelay.Codecs.Tests;

public class BitReaderTests
{
    [Fact]
    public void ReadBits_AcrossBytes_ReturnsMostSignificantFirst()
    {
        var reader = new BitReader([0b1010_1100, 0b0101_0011], removeEmulationPrevention: false);

        Assert.Equal(0b101u, reader.ReadBits(3));
        Assert.Equal(0b0_1100_0101u, reader.ReadBits(9));
        Assert.Equal(0b0011u, reader.ReadBits(4));
        Assert.False(reader.HasError);
    }

    [Fact]
    public void ReadBits_32Bits_ReturnsFullWord()
    {
        var reader = new BitReader([0xDE, 0xAD, 0xBE, 0xEF], removeEmulationPrevention: false);

        Assert.Equal(0xDEADBEEFu, reader.ReadBits(32));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(2u)]
    [InlineData(3u)]
    [InlineData(7u)]
    [InlineData(254u)]
    [InlineData(65_535u)]
    [InlineData(uint.MaxValue - 1)]
    public void ReadUe_EncodedValue_RoundTrips(uint value)
    {
        var bytes = new TestBitWriter().Ue(value).Bits(1, 1).ToBytes();
        var reader = new BitReader(bytes, removeEmulationPrevention: false);

        Assert.Equal(value, reader.ReadUe());
        Assert.Equal(1u, reader.ReadBit());
        Assert.False(reader.HasError);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(2)]
    [InlineData(-2)]
    [InlineData(127)]
    [InlineData(-128)]
    public void ReadSe_EncodedValue_RoundTrips(int value)
    {
        var reader = new BitReader(new TestBitWriter().Se(value).TrailingBits().ToBytes(), removeEmulationPrevention: false);

        Assert.Equal(value, reader.ReadSe());
        Assert.False(reader.HasError);
    }

    [Fact]
    public void ReadUe_KnownCodes_DecodeToSpecValues()
    {
        // 1 | 010 | 011 | 00100 | 00111 → 0, 1, 2, 3, 6 (ITU-T H.264 table 9-2)
        var reader = new BitReader([0b1010_0110, 0b0100_0011, 0b1000_0000], removeEmulationPrevention: false);

        Assert.Equal(0u, reader.ReadUe());
        Assert.Equal(1u, reader.ReadUe());
        Assert.Equal(2u, reader.ReadUe());
        Assert.Equal(3u, reader.ReadUe());
        Assert.Equal(6u, reader.ReadUe());
        Assert.False(reader.HasError);
    }

    [Fact]
    public void ReadUe_MoreThan31LeadingZeros_SetsError()
    {
        var reader = new BitReader([0, 0, 0, 0, 0x80, 0, 0, 0, 0], removeEmulationPrevention: false);

        reader.ReadUe();

        Assert.True(reader.HasError);
    }

    [Fact]
    public void ReadBits_PastEnd_SetsErrorAndReturnsZero()
    {
        var reader = new BitReader([0xFF], removeEmulationPrevention: false);

        Assert.Equal(0u, reader.ReadBits(9));
        Assert.True(reader.HasError);
    }

    [Fact]
    public void ReadUe_AllZerosToEnd_SetsError()
    {
        var reader = new BitReader([0x00, 0x00], removeEmulationPrevention: false);

        Assert.Equal(0u, reader.ReadUe());
        Assert.True(reader.HasError);
    }

    [Fact]
    public void ReadBits_EmulationPreventionByte_IsSkipped()
    {
        var reader = new BitReader([0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0xAB], removeEmulationPrevention: true);

        // Unescaped: 00 00 01 00 00 00 AB
        Assert.Equal(0x000001u, reader.ReadBits(24));
        Assert.Equal(0x000000ABu, reader.ReadBits(32));
        Assert.False(reader.HasError);
        Assert.Equal(56, reader.BitsConsumed);
    }

    [Fact]
    public void ReadBits_ThreeWithoutTwoZeros_IsKept()
    {
        var reader = new BitReader([0x00, 0x03, 0x00, 0x00, 0x04, 0x03], removeEmulationPrevention: true);

        Assert.Equal(0x000300u, reader.ReadBits(24));
        Assert.Equal(0x000403u, reader.ReadBits(24));
    }

    [Fact]
    public void ReadBits_WithoutRemoval_KeepsEmulationPreventionByte()
    {
        var reader = new BitReader([0x00, 0x00, 0x03, 0x01], removeEmulationPrevention: false);

        Assert.Equal(0x00000301u, reader.ReadBits(32));
    }

    [Fact]
    public void ReadBit_EmulationPreventionByteLast_SetsError()
    {
        var reader = new BitReader([0x00, 0x00, 0x03], removeEmulationPrevention: true);

        reader.ReadBits(16);
        reader.ReadBit();

        Assert.True(reader.HasError);
    }
}
