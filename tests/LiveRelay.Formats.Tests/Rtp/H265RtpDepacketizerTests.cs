using System.Buffers;
using LiveRelay.Formats.Rtp;

namespace LiveRelay.Formats.Tests.Rtp;

public sealed class H265RtpDepacketizerTests
{
    private static readonly byte[] s_vps = [0x40, 0x01, 0x0C, 0x01, 0xFF, 0xFF];
    private static readonly byte[] s_sps = [0x42, 0x01, 0x01, 0x01, 0x60, 0x00];
    private static readonly byte[] s_pps = [0x44, 0x01, 0xC1, 0x72];

    // IDR_W_RADL (type 19): NAL header 0x26 0x01, then 3000 bytes.
    private static readonly byte[] s_idr = [0x26, 0x01, .. Enumerable.Range(0, 3000).Select(i => (byte)(i * 7))];

    private static byte[] Nal(byte[] nal) => [(byte)(nal.Length >> 24), (byte)(nal.Length >> 16), (byte)(nal.Length >> 8), (byte)nal.Length, .. nal];

    private static byte[] Size(byte[] nal) => [(byte)(nal.Length >> 8), (byte)nal.Length];

    /// <summary>FU packets of a NAL unit, <paramref name="size"/> bytes of it each; a DONL in the first when <paramref name="donl"/> is set.</summary>
    private static List<byte[]> Fragments(byte[] nal, int size, ushort? donl = null)
    {
        List<byte[]> fragments = [];
        var type = (nal[0] >> 1) & 0x3F;
        for (var offset = 2; offset < nal.Length; offset += size)
        {
            var first = offset == 2;
            var last = offset + size >= nal.Length;
            byte[] decodingOrder = first && donl is { } d ? [(byte)(d >> 8), (byte)d] : [];
            fragments.Add(
            [
                (byte)((nal[0] & 0x81) | (49 << 1)), nal[1],
                (byte)((first ? 0x80 : 0) | (last ? 0x40 : 0) | type),
                .. decodingOrder,
                .. nal.AsSpan(offset, Math.Min(size, nal.Length - offset)),
            ]);
        }

        return fragments;
    }

    [Fact]
    public void Push_SingleNalUnit_WritesItLengthPrefixed()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.Equal(RtpDepacketizeResult.Nals, new H265RtpDepacketizer().Push(s_sps, 1, output));

        Assert.Equal(Nal(s_sps), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Push_AggregationPacket_WritesEachUnit()
    {
        byte[] ap = [0x60, 0x01, .. Size(s_vps), .. s_vps, .. Size(s_sps), .. s_sps, .. Size(s_pps), .. s_pps];
        var output = new ArrayBufferWriter<byte>();

        var result = new H265RtpDepacketizer().Push(ap, 7, output);

        Assert.Equal(RtpDepacketizeResult.Nals, result);
        Assert.Equal([.. Nal(s_vps), .. Nal(s_sps), .. Nal(s_pps)], output.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x60, 0x01 })]                               // no units
    [InlineData(new byte[] { 0x60, 0x01, 0x00, 0x09, 0x40, 0x01 })]       // size past the end
    [InlineData(new byte[] { 0x60, 0x01, 0x00, 0x01, 0x40 })]             // a unit shorter than its NAL header
    [InlineData(new byte[] { 0x60, 0x01, 0x00, 0x02, 0x40, 0x01, 0x00 })] // a size cut in half
    [InlineData(new byte[] { 0x60, 0x01, 0x00, 0x02, 0x40, 0x01, 0x00, 0x05, 0x42, 0x01 })] // a good unit, then a bad one
    public void Push_MalformedAggregationPacket_IsDroppedWritingNothing(byte[] payload)
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.Equal(RtpDepacketizeResult.Dropped, new H265RtpDepacketizer().Push(payload, 1, output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Push_AggregationPacketTruncated_WritesWholeUnitsAtBoundariesAndNothingElsewhere()
    {
        byte[] ap = [0x60, 0x01, .. Size(s_vps), .. s_vps, .. Size(s_sps), .. s_sps];
        var firstEnd = 2 + 2 + s_vps.Length;

        for (var length = 0; length < ap.Length; length++)
        {
            var output = new ArrayBufferWriter<byte>();

            var result = new H265RtpDepacketizer().Push(ap.AsSpan(0, length), 1, output);

            if (length == firstEnd)
            {
                Assert.Equal(RtpDepacketizeResult.Nals, result);
                Assert.Equal(Nal(s_vps), output.WrittenSpan.ToArray());
            }
            else
            {
                Assert.Equal(RtpDepacketizeResult.Dropped, result);
                Assert.Equal(0, output.WrittenCount);
            }
        }
    }

    [Fact]
    public void Push_FragmentationUnitsStartMiddleEnd_RebuildTheNalHeaderAndUnit()
    {
        var depacketizer = new H265RtpDepacketizer();
        var output = new ArrayBufferWriter<byte>();
        var fragments = Fragments(s_idr, 800); // 4 fragments
        ushort sequence = 100;

        var results = fragments.Select(f => depacketizer.Push(f, sequence++, output)).ToList();

        Assert.Equal([RtpDepacketizeResult.Pending, RtpDepacketizeResult.Pending, RtpDepacketizeResult.Pending, RtpDepacketizeResult.Nals], results);
        Assert.Equal(Nal(s_idr), output.WrittenSpan.ToArray());
        Assert.Equal(0, depacketizer.DroppedNals);
    }

    [Fact]
    public void Push_FragmentationUnitsAcrossTheSequenceWrap_ReassembleTheUnit()
    {
        var depacketizer = new H265RtpDepacketizer();
        var output = new ArrayBufferWriter<byte>();
        var fragments = Fragments(s_idr, 1200); // 3 fragments: 65535, 0, 1
        ushort sequence = 65535;

        var results = fragments.Select(f => depacketizer.Push(f, sequence++, output)).ToList();

        Assert.Equal([RtpDepacketizeResult.Pending, RtpDepacketizeResult.Pending, RtpDepacketizeResult.Nals], results);
        Assert.Equal(Nal(s_idr), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Push_FragmentationUnitWithALostMiddle_DropsThatUnitOnlyAndCountsItOnce()
    {
        var depacketizer = new H265RtpDepacketizer();
        var output = new ArrayBufferWriter<byte>();
        var fragments = Fragments(s_idr, 800);

        depacketizer.Push(fragments[0], 10, output);
        depacketizer.Push(fragments[1], 11, output);
        var afterLoss = depacketizer.Push(fragments[3], 13, output); // 12 was lost
        var next = depacketizer.Push(s_pps, 14, output);

        Assert.Equal(RtpDepacketizeResult.Dropped, afterLoss);
        Assert.Equal(RtpDepacketizeResult.Nals, next);
        Assert.Equal(Nal(s_pps), output.WrittenSpan.ToArray());
        Assert.Equal(1, depacketizer.DroppedNals);
    }

    [Fact]
    public void Push_FragmentsWithoutTheirStart_AreDroppedAndCountedOnce_AndTheNextUnitComesThrough()
    {
        var depacketizer = new H265RtpDepacketizer();
        var output = new ArrayBufferWriter<byte>();
        var fragments = Fragments(s_idr, 800);

        var middle = depacketizer.Push(fragments[1], 21, output);
        var end = depacketizer.Push(fragments[3], 23, output);
        var results = fragments.Select((f, i) => depacketizer.Push(f, (ushort)(30 + i), output)).ToList();

        Assert.Equal(RtpDepacketizeResult.Dropped, middle);
        Assert.Equal(RtpDepacketizeResult.Dropped, end);
        Assert.Equal(RtpDepacketizeResult.Nals, results[^1]);
        Assert.Equal(Nal(s_idr), output.WrittenSpan.ToArray());
        Assert.Equal(1, depacketizer.DroppedNals);
    }

    [Fact]
    public void Push_FragmentationUnitStartTruncated_IsDroppedWritingNothing()
    {
        var start = Fragments(s_idr, 1000)[0];

        for (var length = 0; length < 4; length++)
        {
            var output = new ArrayBufferWriter<byte>();

            Assert.Equal(RtpDepacketizeResult.Dropped, new H265RtpDepacketizer().Push(start.AsSpan(0, length), 1, output));
            Assert.Equal(0, output.WrittenCount);
        }
    }

    [Fact]
    public void Push_Paci_IsIgnoredAndCounted()
    {
        var depacketizer = new H265RtpDepacketizer();
        var output = new ArrayBufferWriter<byte>();

        var result = depacketizer.Push([0x64, 0x01, 0x26, 0x00, 0x00, 0x26, 0x01, 0xAF], 1, output);

        Assert.Equal(RtpDepacketizeResult.Dropped, result);
        Assert.Equal(1, depacketizer.IgnoredPaciPackets);
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData(new byte[] { 0x62, 0x01, 0xF0, 0xAA })]       // FU of FU type 48
    [InlineData(new byte[] { 0x66, 0x01 })]                   // type 51, unspecified
    [InlineData(new byte[] { 0x26 })]                         // shorter than the payload header
    public void Push_UnsupportedOrShort_IsDroppedWritingNothing(byte[] payload)
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.Equal(RtpDepacketizeResult.Dropped, new H265RtpDepacketizer().Push(payload, 1, output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Push_WithDecodingOrderNumbers_SkipsDonlAndDondFields()
    {
        var depacketizer = new H265RtpDepacketizer(decodingOrderNumbers: true);
        var output = new ArrayBufferWriter<byte>();
        byte[] single = [s_sps[0], s_sps[1], 0x00, 0x05, .. s_sps.AsSpan(2)];
        byte[] ap = [0x60, 0x01, 0x00, 0x06, .. Size(s_vps), .. s_vps, 0x01, .. Size(s_pps), .. s_pps];
        var fragments = Fragments(s_idr, 1000, donl: 0x0008);

        var singleResult = depacketizer.Push(single, 1, output);
        var apResult = depacketizer.Push(ap, 2, output);
        var fuResults = fragments.Select((f, i) => depacketizer.Push(f, (ushort)(3 + i), output)).ToList();

        Assert.Equal(RtpDepacketizeResult.Nals, singleResult);
        Assert.Equal(RtpDepacketizeResult.Nals, apResult);
        Assert.Equal(RtpDepacketizeResult.Nals, fuResults[^1]);
        Assert.Equal([.. Nal(s_sps), .. Nal(s_vps), .. Nal(s_pps), .. Nal(s_idr)], output.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x42, 0x01, 0x00 })]                                     // single: DONL cut off
    [InlineData(new byte[] { 0x60, 0x01, 0x00, 0x06, 0x00, 0x02, 0x40, 0x01, 0x01 })] // AP: a DOND with no size after it
    public void Push_WithDecodingOrderNumbersTruncated_IsDroppedWritingNothing(byte[] payload)
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.Equal(RtpDepacketizeResult.Dropped, new H265RtpDepacketizer(decodingOrderNumbers: true).Push(payload, 1, output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData("2", true)]
    [InlineData("0", false)]
    [InlineData("x", false)]
    public void UsesDecodingOrderNumbers_SpropMaxDonDiff_IsTrueWhenAboveZero(string value, bool expected)
    {
        Assert.Equal(expected, H265RtpDepacketizer.UsesDecodingOrderNumbers(new Dictionary<string, string> { ["sprop-max-don-diff"] = value }));
        Assert.False(H265RtpDepacketizer.UsesDecodingOrderNumbers(new Dictionary<string, string>()));
    }
}
