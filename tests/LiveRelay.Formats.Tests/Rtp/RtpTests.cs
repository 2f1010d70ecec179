using System.Buffers;
using LiveRelay.Formats.Rtp;

namespace LiveRelay.Formats.Tests.Rtp;

public sealed class RtpPacketTests
{
    [Fact]
    public void TryRead_HeaderWithCsrcExtensionAndPadding_ReturnsFieldsAndThePayloadOnly()
    {
        byte[] packet =
        [
            0xB1, 0xE0, 0x12, 0x34, // V=2 P=1 X=1 CC=1, M=1 PT=96, seq 0x1234
            0x00, 0x01, 0x5F, 0x90, // timestamp 90000
            0xDE, 0xAD, 0xBE, 0xEF, // SSRC
            0x00, 0x00, 0x00, 0x07, // CSRC
            0xBE, 0xDE, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44, // extension, one word
            0x65, 0x88, 0x84,       // payload
            0x00, 0x02,             // padding: 2 bytes
        ];

        Assert.True(RtpPacket.TryRead(packet, out var header, out var payload, out _));

        Assert.Equal(new RtpHeader(true, 96, 0x1234, 90000, 0xDEADBEEF), header);
        Assert.Equal([0x65, 0x88, 0x84], payload.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0 }, "shorter")]
    [InlineData(new byte[] { 0x40, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 }, "version 1")]
    [InlineData(new byte[] { 0x8F, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 }, "longer than the packet")]
    [InlineData(new byte[] { 0xA0, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x41, 0x40 }, "longer than the packet")]
    [InlineData(new byte[] { 0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE }, "cut off")]
    public void TryRead_Malformed_IsFalseWithTheReason(byte[] packet, string reason)
    {
        Assert.False(RtpPacket.TryRead(packet, out _, out _, out var error));
        Assert.Contains(reason, error);
    }
}

public sealed class H264RtpDepacketizerTests
{
    private static readonly byte[] s_idr = [0x65, .. Enumerable.Range(0, 3000).Select(i => (byte)i)];

    private static byte[] Nal(byte[] nal) => [(byte)(nal.Length >> 24), (byte)(nal.Length >> 16), (byte)(nal.Length >> 8), (byte)nal.Length, .. nal];

    /// <summary>FU-A fragments of a NAL unit, <paramref name="size"/> bytes of it each.</summary>
    private static List<byte[]> Fragments(byte[] nal, int size)
    {
        List<byte[]> fragments = [];
        for (var offset = 1; offset < nal.Length; offset += size)
        {
            var last = offset + size >= nal.Length;
            var header = (byte)((offset == 1 ? 0x80 : 0) | (last ? 0x40 : 0) | (nal[0] & 0x1F));
            fragments.Add([(byte)((nal[0] & 0xE0) | 28), header, .. nal.AsSpan(offset, Math.Min(size, nal.Length - offset))]);
        }

        return fragments;
    }

    [Fact]
    public void Push_SingleNalUnit_WritesItLengthPrefixed()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.Equal(RtpDepacketizeResult.Nals, new H264RtpDepacketizer().Push([0x41, 0x9A, 0x02], 1, output));

        Assert.Equal(Nal([0x41, 0x9A, 0x02]), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Push_StapA_WritesEachUnit()
    {
        byte[] sps = [0x67, 0x42, 0xC0, 0x1E];
        byte[] pps = [0x68, 0xCE, 0x3C, 0x80];
        var output = new ArrayBufferWriter<byte>();

        var result = new H264RtpDepacketizer().Push([0x18, 0x00, 0x04, .. sps, 0x00, 0x04, .. pps], 7, output);

        Assert.Equal(RtpDepacketizeResult.Nals, result);
        Assert.Equal([.. Nal(sps), .. Nal(pps)], output.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x18, 0x00, 0x09, 0x67 })]
    [InlineData(new byte[] { 0x18, 0x00, 0x00 })]
    [InlineData(new byte[] { 0x18, 0x00, 0x01, 0x67, 0x05 })]
    public void Push_BrokenStapA_IsDroppedWritingNothing(byte[] payload)
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.Equal(RtpDepacketizeResult.Dropped, new H264RtpDepacketizer().Push(payload, 1, output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Push_FuA_ReassemblesTheUnitAcrossPackets()
    {
        var depacketizer = new H264RtpDepacketizer();
        var output = new ArrayBufferWriter<byte>();
        var fragments = Fragments(s_idr, 1000);
        ushort sequence = 65534; // the sequence number wraps in the middle

        var results = fragments.Select(f => depacketizer.Push(f, sequence++, output)).ToList();

        Assert.Equal([RtpDepacketizeResult.Pending, RtpDepacketizeResult.Pending, RtpDepacketizeResult.Nals], results);
        Assert.Equal(Nal(s_idr), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Push_FuA_WithALostMiddle_DropsThatUnitOnly_AndTheNextUnitComesThrough()
    {
        var depacketizer = new H264RtpDepacketizer();
        var output = new ArrayBufferWriter<byte>();
        var fragments = Fragments(s_idr, 1000);

        depacketizer.Push(fragments[0], 10, output);
        var afterLoss = depacketizer.Push(fragments[2], 12, output); // 11 was lost
        var next = depacketizer.Push([0x41, 0x01], 13, output);

        Assert.Equal(RtpDepacketizeResult.Dropped, afterLoss);
        Assert.Equal(RtpDepacketizeResult.Nals, next);
        Assert.Equal(Nal([0x41, 0x01]), output.WrittenSpan.ToArray());
        Assert.Equal(1, depacketizer.DroppedNals);
    }

    [Fact]
    public void Push_UnsupportedTypes_AreDropped()
    {
        var output = new ArrayBufferWriter<byte>();
        var depacketizer = new H264RtpDepacketizer();

        Assert.Equal(RtpDepacketizeResult.Dropped, depacketizer.Push([0x19, 0, 0], 1, output)); // STAP-B
        Assert.Equal(RtpDepacketizeResult.Dropped, depacketizer.Push([0x1D, 0x85, 1], 2, output)); // FU-B
        Assert.Equal(RtpDepacketizeResult.Dropped, depacketizer.Push([0x7C, 0x85], 3, output)); // FU-A without body
        Assert.Equal(0, output.WrittenCount);
    }
}
