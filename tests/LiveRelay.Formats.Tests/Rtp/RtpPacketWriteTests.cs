using LiveRelay.Formats.Rtp;

namespace LiveRelay.Formats.Tests.Rtp;

public sealed class RtpPacketWriteTests
{
    [Fact]
    public void Write_Header_GivesTheWireBytes_AndTryReadGivesTheFieldsBack()
    {
        var header = new RtpHeader(true, 96, 0x1234, 90000, 0xDEADBEEF);
        var packet = new byte[14];
        packet[12] = 0x65;
        packet[13] = 0x88;

        Assert.Equal(12, RtpPacket.Write(packet, header));

        Assert.Equal([0x80, 0xE0, 0x12, 0x34, 0x00, 0x01, 0x5F, 0x90, 0xDE, 0xAD, 0xBE, 0xEF, 0x65, 0x88], packet);
        Assert.True(RtpPacket.TryRead(packet, out var read, out var payload, out _));
        Assert.Equal(header, read);
        Assert.Equal([0x65, 0x88], payload.ToArray());
    }

    [Fact]
    public void Write_ShortDestinationOrPayloadTypeOver127_Throws()
    {
        Assert.Throws<ArgumentException>(() => RtpPacket.Write(new byte[11], new RtpHeader(false, 96, 1, 1, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => RtpPacket.Write(new byte[12], new RtpHeader(false, 128, 1, 1, 1)));
    }
}
