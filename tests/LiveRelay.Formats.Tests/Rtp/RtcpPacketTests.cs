using System.Text;
using LiveRelay.Formats.Rtp;

namespace LiveRelay.Formats.Tests.Rtp;

public sealed class RtcpPacketTests
{
    // SR, RC=1, length 12 words: 52 bytes.
    private static readonly byte[] s_senderReport =
    [
        0x81, 0xC8, 0x00, 0x0C,             // V=2 P=0 RC=1, PT=200, length 12
        0x11, 0x22, 0x33, 0x44,             // SSRC of sender
        0xE9, 0x3C, 0x7F, 0x00,             // NTP seconds: 2024-01-01 00:00:00 UTC
        0x80, 0x00, 0x00, 0x00,             // NTP fraction: 0.5 s
        0x00, 0x01, 0x5F, 0x90,             // RTP timestamp 90000
        0x00, 0x00, 0x01, 0xF4,             // packet count 500
        0x00, 0x09, 0x27, 0xC0,             // octet count 600000
        0xAA, 0xBB, 0xCC, 0xDD,             // report block: SSRC
        0x40, 0xFF, 0xFF, 0xFE,             // fraction lost 64/256, cumulative lost −2
        0x00, 0x01, 0x00, 0x05,             // extended highest sequence: cycle 1, sequence 5
        0x00, 0x00, 0x00, 0x25,             // jitter 37
        0x7F, 0x00, 0x80, 0x00,             // LSR
        0x00, 0x01, 0x80, 0x00,             // DLSR 1.5 s
    ];

    // SR (no blocks) + SDES (CNAME "cam") + BYE ("off", padded with the P bit).
    private static readonly byte[] s_compound =
    [
        0x80, 0xC8, 0x00, 0x06,
        0x11, 0x22, 0x33, 0x44, 0xE9, 0x3C, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x64,
        0x81, 0xCA, 0x00, 0x03,             // SDES, SC=1, 3 words
        0x11, 0x22, 0x33, 0x44,
        0x01, 0x03, (byte)'c', (byte)'a', (byte)'m', 0x00, 0x00, 0x00,
        0xA1, 0xCB, 0x00, 0x03,             // BYE, P=1, SC=1, 3 words
        0x11, 0x22, 0x33, 0x44,
        0x03, (byte)'o', (byte)'f', (byte)'f',
        0x00, 0x00, 0x00, 0x04,             // 4 bytes of padding
    ];

    [Fact]
    public void TryRead_HandBuiltSenderReport_ReturnsEveryField()
    {
        Assert.True(RtcpPacket.TryRead(s_senderReport, out var packet, out var length, out _));
        Assert.True(RtcpSenderReport.TryRead(packet, out var report, out var error), error);

        Assert.Equal(52, length);
        Assert.Equal(0x11223344u, report.Ssrc);
        Assert.Equal(0xE93C7F00_80000000UL, report.NtpTimestamp);
        Assert.Equal(new DateTime(2024, 1, 1, 0, 0, 0, 500, DateTimeKind.Utc), NtpTime.ToDateTime(report.NtpTimestamp));
        Assert.Equal(90000u, report.RtpTimestamp);
        Assert.Equal(500u, report.PacketCount);
        Assert.Equal(600000u, report.OctetCount);
        Assert.Equal(1, report.Blocks.Count);
        Assert.Equal(new RtcpReportBlock(0xAABBCCDD, 0x40, -2, 0x00010005, 37, 0x7F008000, 0x00018000), report.Blocks[0]);
    }

    [Fact]
    public void TryReadNext_CompoundSenderReportSdesBye_ReturnsEachPacket()
    {
        var reader = new RtcpCompoundReader(s_compound);
        var types = new List<byte>();
        RtcpBye bye = default;

        while (reader.TryReadNext(out var packet))
        {
            types.Add(packet.PacketType);
            if (packet.PacketType == RtcpPacketType.SenderReport)
            {
                Assert.True(RtcpSenderReport.TryRead(packet, out var report, out _));
                Assert.Equal(0, report.Blocks.Count);
                Assert.Equal(100u, report.OctetCount);
            }
            else if (packet.PacketType == RtcpPacketType.Goodbye)
            {
                Assert.True(RtcpBye.TryRead(packet, out bye, out _));
            }
        }

        Assert.Null(reader.Error);
        Assert.Equal([RtcpPacketType.SenderReport, RtcpPacketType.SourceDescription, RtcpPacketType.Goodbye], types);
        Assert.Equal(1, bye.Count);
        Assert.Equal(0x11223344u, bye[0]);
        Assert.Equal("off", bye.ReasonText);
    }

    [Fact]
    public void TryReadNext_EveryTruncatedPrefix_StopsWithAnErrorOrAtAPacketBoundary()
    {
        int[] boundaries = [0, 28, 44];

        for (var length = 0; length < s_compound.Length; length++)
        {
            var reader = new RtcpCompoundReader(s_compound.AsSpan(0, length));
            var packets = 0;
            while (reader.TryReadNext(out _))
            {
                packets++;
            }

            if (boundaries.Contains(length))
            {
                Assert.Null(reader.Error);
                Assert.Equal(Array.IndexOf(boundaries, length), packets);
            }
            else
            {
                Assert.NotNull(reader.Error);
                Assert.False(reader.TryReadNext(out _));
            }
        }
    }

    [Fact]
    public void TryRead_LengthLargerThanTheBuffer_IsRejected()
    {
        byte[] packet = [0x80, 0xC9, 0x00, 0x07, 0x11, 0x22, 0x33, 0x44];

        Assert.False(RtcpPacket.TryRead(packet, out _, out var length, out var error));

        Assert.Equal(0, length);
        Assert.Contains("larger than", error);
    }

    [Theory]
    [InlineData(new byte[] { 0x40, 0xC9, 0x00, 0x01, 0, 0, 0, 0 }, "version 1")]
    [InlineData(new byte[] { 0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 0 }, "padding count of 0")]
    [InlineData(new byte[] { 0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 9 }, "padding count of 9")]
    [InlineData(new byte[] { 0x80, 0xC9, 0x00 }, "shorter")]
    public void TryRead_Malformed_IsFalseWithTheReason(byte[] packet, string reason)
    {
        Assert.False(RtcpPacket.TryRead(packet, out _, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void TryRead_SenderReportWithMoreBlocksThanItsBody_IsRejected()
    {
        byte[] packet = [0x82, 0xC8, 0x00, 0x0C, .. s_senderReport.AsSpan(4)]; // RC=2, room for one

        Assert.True(RtcpPacket.TryRead(packet, out var rtcp, out _, out _));
        Assert.False(RtcpSenderReport.TryRead(rtcp, out _, out var error));
        Assert.False(RtcpReceiverReport.TryRead(rtcp, out _, out _));
        Assert.Contains("too short", error);
    }

    [Fact]
    public void TryRead_EveryTruncatedSenderReport_IsRejected()
    {
        for (var length = 0; length < s_senderReport.Length; length++)
        {
            Assert.False(RtcpPacket.TryRead(s_senderReport.AsSpan(0, length), out _, out _, out var error));
            Assert.NotNull(error);
        }
    }

    [Fact]
    public void TryRead_ByeWithAReasonPastTheBody_IsRejected()
    {
        byte[] packet = [0x81, 0xCB, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x09, (byte)'o', (byte)'f', (byte)'f'];

        Assert.True(RtcpPacket.TryRead(packet, out var rtcp, out _, out _));
        Assert.False(RtcpBye.TryRead(rtcp, out _, out var error));
        Assert.Contains("runs past", error);
    }

    [Fact]
    public void TryWrite_ReceiverReport_RoundTripsThroughTheReader()
    {
        var block = new RtcpReportBlock(0xCAFEBABE, 25, -5, 0x0002FFFF, 1234, 0x7F008000, NtpTime.ToDelay(TimeSpan.FromSeconds(1.5)));
        var buffer = new byte[64];

        Assert.True(RtcpReceiverReport.TryWrite(buffer, 0x01020304, block, out var written));
        Assert.True(RtcpPacket.TryRead(buffer.AsSpan(0, written), out var packet, out var length, out _));
        Assert.True(RtcpReceiverReport.TryRead(packet, out var report, out _));

        Assert.Equal(32, written);
        Assert.Equal(written, length);
        Assert.Equal([0x81, 0xC9, 0x00, 0x07, 0x01, 0x02, 0x03, 0x04, 0xCA, 0xFE, 0xBA, 0xBE, 25, 0xFF, 0xFF, 0xFB], buffer[..16]);
        Assert.Equal(0x01020304u, report.Ssrc);
        Assert.Equal(1, report.Blocks.Count);
        Assert.Equal(block, report.Blocks[0]);
    }

    [Fact]
    public void TryWrite_CumulativeLostOutOfRange_IsClampedTo24Bits()
    {
        var buffer = new byte[32];

        RtcpReceiverReport.TryWrite(buffer, 1, new RtcpReportBlock(2, 0, 50_000_000, 0, 0, 0, 0), out _);
        RtcpPacket.TryRead(buffer, out var packet, out _, out _);
        RtcpReceiverReport.TryRead(packet, out var report, out _);

        Assert.Equal(RtcpReportBlock.MaxCumulativeLost, report.Blocks[0].CumulativeLost);
    }

    [Fact]
    public void TryWrite_DestinationTooShort_WritesNothing()
    {
        var buffer = new byte[31];

        Assert.False(RtcpReceiverReport.TryWrite(buffer, 1, new RtcpReportBlock(2, 0, 0, 0, 0, 0, 0), out var written));

        Assert.Equal(0, written);
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Fact]
    public void NtpTime_KnownValues_ConvertBothWays()
    {
        var time = new DateTime(2024, 1, 1, 0, 0, 0, 500, DateTimeKind.Utc);

        Assert.Equal(0xE93C7F00_80000000UL, NtpTime.FromDateTime(time));
        Assert.Equal(time.Ticks, NtpTime.ToTicks(0xE93C7F00_80000000UL));
        Assert.Equal(0x7F008000u, NtpTime.ToMiddle32(0xE93C7F00_80000000UL));
        Assert.Equal(new DateTime(2036, 2, 7, 6, 28, 16, DateTimeKind.Utc), NtpTime.ToDateTime(0)); // era 1
        Assert.Equal(new DateTime(1968, 1, 20, 3, 14, 8, DateTimeKind.Utc), NtpTime.ToDateTime(0x80000000_00000000UL));
        Assert.Equal(0x18000u, NtpTime.ToDelay(TimeSpan.FromSeconds(1.5)));
        Assert.Equal(TimeSpan.FromSeconds(1.5), NtpTime.FromDelay(0x18000));
        Assert.Equal(uint.MaxValue, NtpTime.ToDelay(TimeSpan.FromDays(2)));
        Assert.Equal(0u, NtpTime.ToDelay(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void NtpTime_AnyTick_RoundTrips()
    {
        var time = new DateTime(2031, 7, 9, 13, 45, 12, DateTimeKind.Utc).AddTicks(1_234_567);

        Assert.Equal(time, NtpTime.ToDateTime(NtpTime.FromDateTime(time)));
        Assert.Throws<ArgumentOutOfRangeException>(() => NtpTime.FromDateTime(new DateTime(1960, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
    }

    [Fact]
    public void ReasonText_Utf8_IsDecoded()
    {
        var reason = Encoding.UTF8.GetBytes("arrêt");
        byte[] packet = [0x81, 0xCB, 0x00, 0x03, 0, 0, 0, 1, (byte)reason.Length, .. reason, 0x00];

        Assert.True(RtcpPacket.TryRead(packet, out var rtcp, out _, out _));
        Assert.True(RtcpBye.TryRead(rtcp, out var bye, out _));

        Assert.Equal("arrêt", bye.ReasonText);
    }
}
