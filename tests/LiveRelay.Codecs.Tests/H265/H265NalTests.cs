using System.Buffers;
using System.Buffers.Binary;
using LiveRelay.Codecs.H265;

namespace LiveRelay.Codecs.Tests.H265;

public class H265NalTests
{
    private static readonly byte[] Idr = [0x26, 0x01, 0xAF, 0x09, 0x40]; // IDR_W_RADL
    private static readonly byte[] Cra = [0x2A, 0x01, 0xAD, 0x00, 0x71];
    private static readonly byte[] Trail = [0x02, 0x01, 0xD0, 0x11, 0x88];
    private static readonly byte[] Sei = [0x4E, 0x01, 0x05, 0x01, 0xAA, 0x80];
    private static readonly byte[] Aud = [0x46, 0x01, 0x50];

    [Theory]
    [InlineData(0x40, 0x01, 32)] // VPS
    [InlineData(0x42, 0x01, 33)] // SPS
    [InlineData(0x44, 0x01, 34)] // PPS
    [InlineData(0x46, 0x01, 35)] // AUD
    [InlineData(0x4E, 0x01, 39)] // prefix SEI
    [InlineData(0x26, 0x01, 19)] // IDR_W_RADL
    [InlineData(0x28, 0x01, 20)] // IDR_N_LP
    [InlineData(0x2A, 0x01, 21)] // CRA
    [InlineData(0x02, 0x01, 1)]  // TRAIL_R
    [InlineData(0x03, 0xF9, 1)]  // nuh_layer_id bit in byte 0 does not leak into the type
    [InlineData(0xFE, 0x01, 63)]
    public void GetNalType_HeaderBytes_ReturnsSixBitsAfterForbiddenBit(byte header0, byte header1, int expected)
    {
        _ = header1;
        Assert.Equal(expected, H265Nal.GetNalType(header0));
    }

    [Theory]
    [InlineData(15, false)]
    [InlineData(16, true)]  // BLA_W_LP
    [InlineData(19, true)]  // IDR_W_RADL
    [InlineData(20, true)]  // IDR_N_LP
    [InlineData(21, true)]  // CRA_NUT
    [InlineData(23, true)]  // RSV_IRAP_VCL23
    [InlineData(24, false)]
    [InlineData(32, false)]
    [InlineData(0, false)]
    public void IsIrap_NalType_TrueFor16To23(int type, bool expected)
    {
        Assert.Equal(expected, H265Nal.IsIrap(type));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void ContainsIrap_CraAfterSei_ReturnsTrue(int lengthSize)
    {
        Assert.True(H265Nal.ContainsIrap(Hvcc(lengthSize, Sei, Cra), lengthSize));
    }

    [Fact]
    public void ContainsIrap_TrailingSlicesOnly_ReturnsFalse()
    {
        Assert.False(H265Nal.ContainsIrap(Hvcc(4, Aud, Sei, Trail, Trail), 4));
    }

    [Fact]
    public void ContainsIrap_IrapAfterMalformedLength_ReturnsFalse()
    {
        var hvcc = Hvcc(4, Trail, Idr);
        BinaryPrimitives.WriteUInt32BigEndian(hvcc, 1000);

        Assert.False(H265Nal.ContainsIrap(hvcc, 4));
    }

    [Fact]
    public void TryWriteAnnexB_IrapWithoutSps_WritesAudThenVpsSpsPpsBeforeEverythingElse()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H265Nal.TryWriteAnnexB(Hvcc(4, Sei, Idr), 4, Config(), output));

        var expected = AnnexB(Aud, H265Vectors.Vps360Main, H265Vectors.Sps360Main, H265Vectors.Pps360Main, Sei, Idr);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryWriteAnnexB_AccessUnitDelimiter_IsTheHevcOne()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H265Nal.TryWriteAnnexB(Hvcc(4, Trail), 4, Config(), output));

        Assert.Equal("00000001460150" + "00000001" + Convert.ToHexString(Trail), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryWriteAnnexB_IrapWithOwnSps_DoesNotInsertConfig()
    {
        byte[] ownVps = [0x40, 0x01, 0x0C, 0x01, 0xAB];
        byte[] ownSps = [0x42, 0x01, 0x01, 0x02, 0xCD];
        byte[] ownPps = [0x44, 0x01, 0xC0];
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H265Nal.TryWriteAnnexB(Hvcc(4, ownVps, ownSps, ownPps, Cra), 4, Config(), output));

        Assert.Equal(Convert.ToHexString(AnnexB(Aud, ownVps, ownSps, ownPps, Cra)), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryWriteAnnexB_StartsWithOwnAud_KeepsItFirstAndInsertsAfterIt()
    {
        byte[] ownAud = [0x46, 0x01, 0x10]; // pic_type 0: I slices only
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H265Nal.TryWriteAnnexB(Hvcc(4, ownAud, Idr), 4, Config(), output));

        var expected = AnnexB(ownAud, H265Vectors.Vps360Main, H265Vectors.Sps360Main, H265Vectors.Pps360Main, Idr);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryWriteAnnexB_NonIrap_WritesAudAndSlicesOnly()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H265Nal.TryWriteAnnexB(Hvcc(2, Sei, Trail), 2, Config(), output));

        Assert.Equal(Convert.ToHexString(AnnexB(Aud, Sei, Trail)), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryWriteAnnexB_NoConfig_WritesIrapWithoutParameterSets()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H265Nal.TryWriteAnnexB(Hvcc(4, Idr), 4, config: null, output));

        Assert.Equal(Convert.ToHexString(AnnexB(Aud, Idr)), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryWriteAnnexB_EmptyNalUnits_AreDropped()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H265Nal.TryWriteAnnexB(Hvcc(4, [], Trail, []), 4, null, output));

        Assert.Equal(Convert.ToHexString(AnnexB(Aud, Trail)), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryWriteAnnexB_MalformedLength_ReturnsFalseAndWritesNothing()
    {
        var hvcc = Hvcc(4, Idr, Trail);
        BinaryPrimitives.WriteUInt32BigEndian(hvcc.AsSpan(4 + Idr.Length), 200);
        var output = new ArrayBufferWriter<byte>();

        Assert.False(H265Nal.TryWriteAnnexB(hvcc, 4, Config(), output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void TryConvertAnnexBToHvcc_MixedStartCodes_WritesLengthPrefixedNalsWithoutAud()
    {
        byte[] annexB = [0, 0, 0, 1, .. Aud, 0, 0, 1, .. H265Vectors.Vps360Main, 0, 0, 0, 1, .. Sei, 0, 0, 1, .. Idr, 0, 0];
        var output = new ArrayBufferWriter<byte>();

        Assert.True(H265Nal.TryConvertAnnexBToHvcc(annexB, output));

        Assert.Equal(Convert.ToHexString(Hvcc(4, H265Vectors.Vps360Main, Sei, Idr)), Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void TryConvertAnnexBToHvcc_WithoutLeadingStartCode_ReturnsFalseAndWritesNothing()
    {
        byte[] annexB = [0x26, 0x01, 0, 0, 1, .. Trail];
        var output = new ArrayBufferWriter<byte>();

        Assert.False(H265Nal.TryConvertAnnexBToHvcc(annexB, output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void AnnexBRoundTrip_HvccToAnnexBAndBack_ReturnsTheSameAccessUnit()
    {
        var hvcc = Hvcc(4, H265Vectors.Vps360Main, H265Vectors.Sps360Main, H265Vectors.Pps360Main, Sei, Idr);
        var annexB = new ArrayBufferWriter<byte>();
        var back = new ArrayBufferWriter<byte>();

        Assert.True(H265Nal.TryWriteAnnexB(hvcc, 4, Config(), annexB));
        Assert.True(H265Nal.TryConvertAnnexBToHvcc(annexB.WrittenSpan, back));

        Assert.Equal(Convert.ToHexString(hvcc), Convert.ToHexString(back.WrittenSpan));
    }

    private static HevcDecoderConfiguration Config()
    {
        Assert.True(HevcDecoderConfiguration.TryParse(H265Vectors.HvcC360Main, out var config));
        return config!;
    }

    private static byte[] Hvcc(int lengthSize, params byte[][] nals)
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

    private static byte[] AnnexB(params byte[][] nals)
    {
        var result = new List<byte>();
        foreach (var nal in nals)
        {
            result.AddRange([0, 0, 0, 1]);
            result.AddRange(nal);
        }

        return [.. result];
    }
}
