using System.Buffers;
using System.Buffers.Binary;
using LiveRelay.Codecs.H264;

namespace LiveRelay.Codecs.Tests.H264;

public class H264NalTests
{
    private static readonly byte[] Idr = [0x65, 0x88, 0x84, 0x00, 0x2D];
    private static readonly byte[] NonIdr = [0x41, 0x9A, 0x02];
    private static readonly byte[] Sei = [0x06, 0x05, 0x01, 0xAA, 0x80];
    private static readonly byte[] Aud = [0x09, 0xF0];

    [Theory]
    [InlineData(0x67, 7)]
    [InlineData(0x68, 8)]
    [InlineData(0x65, 5)]
    [InlineData(0x41, 1)]
    [InlineData(0x09, 9)]
    [InlineData(0x06, 6)]
    [InlineData(0xFF, 31)]
    public void GetNalType_HeaderByte_ReturnsLowFiveBits(byte header, int expected)
    {
        Assert.Equal(expected, H264Nal.GetNalType(header));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void ContainsIdr_IdrAfterSei_ReturnsTrue(int lengthSize)
    {
        Assert.True(H264Nal.ContainsIdr(Avcc(lengthSize, Sei, Idr), lengthSize));
    }

    [Fact]
    public void ContainsIdr_OnlyNonIdrSlices_ReturnsFalse()
    {
        Assert.False(H264Nal.ContainsIdr(Avcc(4, Aud, Sei, NonIdr, NonIdr), 4));
    }

    [Fact]
    public void ContainsIdr_IdrAfterMalformedLength_ReturnsFalse()
    {
        var avcc = Avcc(4, NonIdr, Idr);
        BinaryPrimitives.WriteUInt32BigEndian(avcc, 1000);

        Assert.False(H264Nal.ContainsIdr(avcc, 4));
    }

    [Fact]
    public void ContainsIdr_Empty_ReturnsFalse()
    {
        Assert.False(H264Nal.ContainsIdr([], 4));
    }

    [Fact]
    public void TryWriteAnnexB_IdrWithoutSps_WritesAudThenConfigParameterSetsBeforeIdr()
    {
        var config = Config();
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H264Nal.TryWriteAnnexB(Avcc(4, Sei, Idr), 4, config, output));

        var expected = AnnexB([0x09, 0xF0], Sei, H264Vectors.Sps720High, H264Vectors.Pps720High, Idr);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryWriteAnnexB_IdrWithOwnSps_DoesNotInsertConfig()
    {
        byte[] ownSps = [0x67, 0x42, 0x00, 0x1E, 0xAB];
        byte[] ownPps = [0x68, 0xCE];
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H264Nal.TryWriteAnnexB(Avcc(4, ownSps, ownPps, Idr), 4, Config(), output));

        Assert.Equal(Convert.ToHexString(AnnexB(Aud, ownSps, ownPps, Idr)), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryWriteAnnexB_StartsWithAud_DoesNotAddAnother()
    {
        byte[] aud = [0x09, 0x10];
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H264Nal.TryWriteAnnexB(Avcc(2, aud, NonIdr), 2, Config(), output));

        Assert.Equal(Convert.ToHexString(AnnexB(aud, NonIdr)), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryWriteAnnexB_AudNotFirst_StillAddsLeadingAud()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H264Nal.TryWriteAnnexB(Avcc(4, Sei, Aud, NonIdr), 4, null, output));

        Assert.Equal(Convert.ToHexString(AnnexB(Aud, Sei, Aud, NonIdr)), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryWriteAnnexB_NonIdr_DoesNotInsertConfig()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H264Nal.TryWriteAnnexB(Avcc(1, NonIdr), 1, Config(), output));

        Assert.Equal(Convert.ToHexString(AnnexB(Aud, NonIdr)), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryWriteAnnexB_IdrWithoutConfig_WritesSlicesOnly()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H264Nal.TryWriteAnnexB(Avcc(4, Idr), 4, null, output));

        Assert.Equal(Convert.ToHexString(AnnexB(Aud, Idr)), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryWriteAnnexB_TwoIdrSlices_InsertsParameterSetsOnceBeforeFirst()
    {
        byte[] idr2 = [0x65, 0x11, 0x22];
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H264Nal.TryWriteAnnexB(Avcc(4, Idr, idr2), 4, Config(), output));

        var expected = AnnexB(Aud, H264Vectors.Sps720High, H264Vectors.Pps720High, Idr, idr2);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryWriteAnnexB_EmptyNalUnits_AreDropped()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H264Nal.TryWriteAnnexB(Avcc(4, [], NonIdr, []), 4, null, output));

        Assert.Equal(Convert.ToHexString(AnnexB(Aud, NonIdr)), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryWriteAnnexB_LengthPastEnd_ReturnsFalseAndWritesNothing()
    {
        var avcc = Avcc(4, Sei, Idr);
        BinaryPrimitives.WriteUInt32BigEndian(avcc.AsSpan(4 + Sei.Length), (uint)Idr.Length + 1);
        var output = new ArrayBufferWriter<byte>();

        Assert.False(H264Nal.TryWriteAnnexB(avcc, 4, Config(), output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void TryWriteAnnexB_EveryTruncatedPrefixOfLastNal_ReturnsFalse()
    {
        var avcc = Avcc(4, Sei, Idr);
        for (var length = 4 + Sei.Length + 1; length < avcc.Length; length++)
        {
            var output = new ArrayBufferWriter<byte>();
            Assert.False(H264Nal.TryWriteAnnexB(avcc.AsSpan(0, length), 4, Config(), output), $"prefix of {length} bytes converted");
            Assert.Equal(0, output.WrittenCount);
        }
    }

    [Fact]
    public void TryWriteAnnexB_HugeLength_ReturnsFalse()
    {
        byte[] avcc = [0xFF, 0xFF, 0xFF, 0xFF, 0x65];

        Assert.False(H264Nal.TryWriteAnnexB(avcc, 4, null, new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void TryWriteAnnexB_InvalidLengthSize_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => H264Nal.TryWriteAnnexB(Avcc(4, Idr), 5, null, new ArrayBufferWriter<byte>()));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void TryConvertAnnexBToAvcc_StartCodes_WritesFourByteLengths(int startCodeLength)
    {
        var annexB = AnnexB(startCodeLength, H264Vectors.Sps720High, H264Vectors.Pps720High, Idr);
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H264Nal.TryConvertAnnexBToAvcc(annexB, output));

        Assert.Equal(Convert.ToHexString(Avcc(4, H264Vectors.Sps720High, H264Vectors.Pps720High, Idr)), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryConvertAnnexBToAvcc_MixedStartCodesAndAud_DropsAud()
    {
        byte[] annexB = [0, 0, 0, 1, .. Aud, 0, 0, 1, .. Sei, 0, 0, 0, 1, .. NonIdr];
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H264Nal.TryConvertAnnexBToAvcc(annexB, output));

        Assert.Equal(Convert.ToHexString(Avcc(4, Sei, NonIdr)), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryConvertAnnexBToAvcc_TrailingZeros_AreNotPartOfNal()
    {
        byte[] annexB = [0, 0, 1, .. Sei, 0, 0, 0, 0, 0, 1, .. NonIdr, 0, 0];
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H264Nal.TryConvertAnnexBToAvcc(annexB, output));

        Assert.Equal(Convert.ToHexString(Avcc(4, Sei, NonIdr)), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryConvertAnnexBToAvcc_EmulationPreventionInsideNal_IsKept()
    {
        // 00 00 03 01 inside a NAL is not a start code.
        byte[] nal = [0x65, 0x00, 0x00, 0x03, 0x01, 0x7F];
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H264Nal.TryConvertAnnexBToAvcc([0, 0, 1, .. nal], output));

        Assert.Equal(Convert.ToHexString(Avcc(4, nal)), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryConvertAnnexBToAvcc_LeadingZeros_AreAccepted()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H264Nal.TryConvertAnnexBToAvcc([0, 0, 0, 0, 0, 1, .. Idr], output));

        Assert.Equal(Convert.ToHexString(Avcc(4, Idr)), Convert.ToHexString(output.WrittenSpan));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x65, 0x88 })]
    [InlineData(new byte[] { 0x00, 0x00 })]
    [InlineData(new byte[] { 0x01, 0x00, 0x00, 0x01, 0x65 })]
    public void TryConvertAnnexBToAvcc_NoLeadingStartCode_ReturnsFalseAndWritesNothing(byte[] annexB)
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.False(H264Nal.TryConvertAnnexBToAvcc(annexB, output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void TryConvertAnnexBToAvcc_ThenTryWriteAnnexB_RoundTrips()
    {
        var annexB = AnnexB(Aud, H264Vectors.Sps720High, H264Vectors.Pps720High, Sei, Idr);
        var avcc = new ArrayBufferWriter<byte>();
        var back = new ArrayBufferWriter<byte>();

        Assert.True(H264Nal.TryConvertAnnexBToAvcc(annexB, avcc));
        Assert.True(H264Nal.TryWriteAnnexB(avcc.WrittenSpan, 4, null, back));

        Assert.Equal(Convert.ToHexString(annexB), Convert.ToHexString(back.WrittenSpan));
    }

    [Fact]
    public void TryWriteAnnexB_SteadyState_DoesNotAllocate()
    {
        var config = Config();
        var avcc = Avcc(4, Sei, Idr);
        var output = new ArrayBufferWriter<byte>(1024);
        H264Nal.TryWriteAnnexB(avcc, 4, config, output);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            output.ResetWrittenCount();
            H264Nal.TryWriteAnnexB(avcc, 4, config, output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    internal static AvcDecoderConfiguration Config()
    {
        Assert.True(AvcDecoderConfiguration.TryParse(H264Vectors.AvcC720High, out var config));
        return config!;
    }

    internal static byte[] Avcc(int lengthSize, params byte[][] nals)
    {
        var result = new List<byte>();
        foreach (var nal in nals)
        {
            for (var i = lengthSize - 1; i >= 0; i--)
            {
                result.Add((byte)(nal.Length >> (8 * i)));
            }

            result.AddRange(nal);
        }

        return [.. result];
    }

    private static byte[] AnnexB(params byte[][] nals) => AnnexB(4, nals);

    private static byte[] AnnexB(int startCodeLength, params byte[][] nals)
    {
        var result = new List<byte>();
        foreach (var nal in nals)
        {
            result.AddRange(startCodeLength == 4 ? [0, 0, 0, 1] : [0, 0, 1]);
            result.AddRange(nal);
        }

        return [.. result];
    }
}
