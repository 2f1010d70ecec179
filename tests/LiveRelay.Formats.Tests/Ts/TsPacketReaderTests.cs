using LiveRelay.Formats.Ts;

namespace LiveRelay.Formats.Tests.Ts;

public class TsPacketReaderTests
{
    [Fact]
    public void TryReadPacket_FfmpegPatPacket_ReturnsHeader()
    {
        var packet = Packet(TsTestData.FfmpegPatPacket);

        Assert.True(TsPacketReader.TryReadPacket(packet, out var header));

        Assert.Equal(new TsPacketHeader(0, true, 0, true, 0, false, false, null, 4), header);
        Assert.Equal(184, TsPacketReader.GetPayload(packet, header).Length);
    }

    [Fact]
    public void TryReadPacket_AdaptationFieldWithPcr_ReturnsPcrAndFlags()
    {
        // PID 0x100, CC 7, adaptation field + payload, length 7: discontinuity, RAI, PCR.
        // PCR base 0x1_2345_6789 (33 bits), extension 0x12B.
        var packet = new byte[188];
        packet[0] = 0x47;
        packet[1] = 0x01;
        packet[2] = 0x00;
        packet[3] = 0x37;
        packet[4] = 7;
        packet[5] = 0xD0;
        var pcrBase = 0x1_2345_6789L;
        packet[6] = (byte)(pcrBase >> 25);
        packet[7] = (byte)(pcrBase >> 17);
        packet[8] = (byte)(pcrBase >> 9);
        packet[9] = (byte)(pcrBase >> 1);
        packet[10] = (byte)((pcrBase & 1) << 7 | 0x7E | 0x1);
        packet[11] = 0x2B;

        Assert.True(TsPacketReader.TryReadPacket(packet, out var header));

        Assert.Equal(0x100, header.Pid);
        Assert.False(header.PayloadUnitStart);
        Assert.Equal(7, header.ContinuityCounter);
        Assert.True(header.Discontinuity);
        Assert.True(header.RandomAccess);
        Assert.Equal(pcrBase * 300 + 0x12B, header.Pcr);
        Assert.Equal(pcrBase, header.PcrBase);
        Assert.Equal(8, header.AdaptationFieldLength);
        Assert.Equal(12, header.PayloadOffset);
    }

    [Fact]
    public void TryReadPacket_AdaptationFieldOnly_HasNoPayload()
    {
        var packet = new byte[188];
        packet[0] = 0x47;
        packet[1] = 0x1F;
        packet[2] = 0xFF;
        packet[3] = 0x20;
        packet[4] = 183;

        Assert.True(TsPacketReader.TryReadPacket(packet, out var header));

        Assert.False(header.HasPayload);
        Assert.Equal(0x1FFF, header.Pid);
        Assert.True(TsPacketReader.GetPayload(packet, header).IsEmpty);
    }

    [Fact]
    public void TryReadPacket_EveryTruncatedPrefix_ReturnsFalse()
    {
        var packet = Packet(TsTestData.FfmpegPmtPacket);
        for (var length = 0; length < packet.Length; length++)
        {
            Assert.False(TsPacketReader.TryReadPacket(packet.AsSpan(0, length), out var header), $"prefix of {length} bytes parsed");
            Assert.Equal(default, header);
        }
    }

    [Fact]
    public void TryReadPacket_WrongSyncByte_ReturnsFalse()
    {
        var packet = Packet(TsTestData.FfmpegPatPacket);
        packet[0] = 0x48;

        Assert.False(TsPacketReader.TryReadPacket(packet, out _));
    }

    [Fact]
    public void TryReadPacket_ReservedAdaptationFieldControl_ReturnsFalse()
    {
        var packet = Packet(TsTestData.FfmpegPatPacket);
        packet[3] = 0x00;

        Assert.False(TsPacketReader.TryReadPacket(packet, out _));
    }

    [Theory]
    [InlineData(0x30, 183)] // with payload, the field may not fill the packet
    [InlineData(0x20, 184)]
    [InlineData(0x30, 255)]
    public void TryReadPacket_AdaptationFieldTooLong_ReturnsFalse(byte control, byte length)
    {
        var packet = new byte[188];
        packet[0] = 0x47;
        packet[3] = control;
        packet[4] = length;

        Assert.False(TsPacketReader.TryReadPacket(packet, out _));
    }

    [Fact]
    public void TryReadPacket_PcrFlagInShortField_ReturnsFalse()
    {
        var packet = new byte[188];
        packet[0] = 0x47;
        packet[3] = 0x30;
        packet[4] = 3;
        packet[5] = 0x10;

        Assert.False(TsPacketReader.TryReadPacket(packet, out _));
    }

    private static byte[] Packet(string hex)
    {
        var packet = new byte[188];
        packet.AsSpan().Fill(0xFF);
        Convert.FromHexString(hex).CopyTo(packet, 0);
        return packet;
    }
}
