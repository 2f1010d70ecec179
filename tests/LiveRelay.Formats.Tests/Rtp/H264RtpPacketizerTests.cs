using System.Buffers;
using System.Buffers.Binary;
using LiveRelay.Formats.Rtp;

namespace LiveRelay.Formats.Tests.Rtp;

public sealed class H264RtpPacketizerTests
{
    private static readonly byte[] s_sps = [0x67, 0x42, 0xC0, 0x1F, 0xDA, 0x01, 0x40, 0x16, 0xE8];
    private static readonly byte[] s_pps = [0x68, 0xCE, 0x3C, 0x80];

    private sealed class RecordingSink : IRtpPayloadSink
    {
        public List<(byte[] Payload, bool Marker)> Packets { get; } = [];

        public void OnPayload(ReadOnlySpan<byte> payloadHeader, ReadOnlySpan<byte> payloadBody, bool marker) =>
            Packets.Add(([.. payloadHeader, .. payloadBody], marker));
    }

    /// <summary>A NAL unit: the header byte, then <paramref name="length"/> − 1 patterned bytes.</summary>
    private static byte[] Nal(byte header, int length) => [header, .. Enumerable.Range(1, length - 1).Select(i => (byte)(i * 31))];

    private static byte[] AccessUnit(params byte[][] nals)
    {
        var output = new List<byte>();
        foreach (var nal in nals)
        {
            var prefix = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(prefix, nal.Length);
            output.AddRange(prefix);
            output.AddRange(nal);
        }

        return [.. output];
    }

    private static RecordingSink Packetize(byte[] accessUnit, bool keyframe = false, int maxPayload = H264RtpPacketizer.DefaultMaxPayload)
    {
        var sink = new RecordingSink();
        var count = new H264RtpPacketizer().Packetize(accessUnit, s_sps, s_pps, keyframe, maxPayload, sink);
        Assert.Equal(sink.Packets.Count, count);
        return sink;
    }

    /// <summary>Depacketizes with <see cref="H264RtpDepacketizer"/> back into the length-prefixed form.</summary>
    private static byte[] Depacketize(RecordingSink sink)
    {
        var depacketizer = new H264RtpDepacketizer();
        var output = new ArrayBufferWriter<byte>();
        ushort sequence = 65530; // wraps on the way
        foreach (var (payload, _) in sink.Packets)
        {
            Assert.NotEqual(RtpDepacketizeResult.Dropped, depacketizer.Push(payload, sequence++, output));
        }

        return output.WrittenSpan.ToArray();
    }

    private static void AssertMarkerOnlyOnTheLast(RecordingSink sink) =>
        Assert.Equal(sink.Packets.Select((_, i) => i == sink.Packets.Count - 1), sink.Packets.Select(p => p.Marker));

    [Fact]
    public void Packetize_SmallNals_AggregatesThemIntoOneStapA_ThatDepacketizesToTheSameNals()
    {
        var accessUnit = AccessUnit(Nal(0x06, 20), Nal(0x41, 300), Nal(0x01, 7));

        var sink = Packetize(accessUnit);

        var (payload, marker) = Assert.Single(sink.Packets);
        Assert.True(marker);
        Assert.Equal(0x40 | 24, payload[0]); // NRI 2 of the slice, the largest
        Assert.Equal(1 + (2 + 20) + (2 + 300) + (2 + 7), payload.Length);
        Assert.Equal(accessUnit, Depacketize(sink));
    }

    [Fact]
    public void Packetize_NalsThatDoNotFitTogether_AreSingleNalUnitPackets_MarkerOnTheLast()
    {
        var first = Nal(0x41, 800);
        var second = Nal(0x01, 1188);
        var accessUnit = AccessUnit(first, second);

        var sink = Packetize(accessUnit);

        Assert.Equal([first, second], sink.Packets.Select(p => p.Payload));
        AssertMarkerOnlyOnTheLast(sink);
        Assert.Equal(accessUnit, Depacketize(sink));
    }

    [Fact]
    public void Packetize_5000ByteNal_SendsFuAFragmentsWithStartEndBitsNriAndType()
    {
        var idr = Nal(0x65, 5000); // NRI 3, type 5
        var accessUnit = AccessUnit(idr);

        var sink = Packetize(accessUnit);

        Assert.Equal(5, sink.Packets.Count); // 4,999 bytes after the header, at most 1,186 a fragment
        Assert.All(sink.Packets, p => Assert.Equal(0x60 | 28, p.Payload[0]));
        Assert.Equal([0x80 | 5, 5, 5, 5, 0x40 | 5], sink.Packets.Select(p => (int)p.Payload[1]));
        Assert.All(sink.Packets, p => Assert.InRange(p.Payload.Length, 1001, H264RtpPacketizer.DefaultMaxPayload));
        Assert.Equal(idr[1..], sink.Packets.SelectMany(p => p.Payload[2..]).ToArray());
        AssertMarkerOnlyOnTheLast(sink);
        Assert.Equal(accessUnit, Depacketize(sink));
    }

    [Fact]
    public void Packetize_Keyframe_SendsSpsAndPpsFirstAsOneStapA()
    {
        var sei = Nal(0x06, 30);
        var idr = Nal(0x65, 3000);
        var accessUnit = AccessUnit(sei, idr);

        var sink = Packetize(accessUnit, keyframe: true);

        byte[] stapA = [0x60 | 24, 0, (byte)s_sps.Length, .. s_sps, 0, (byte)s_pps.Length, .. s_pps];
        Assert.Equal(stapA, sink.Packets[0].Payload);
        Assert.Equal(sei, sink.Packets[1].Payload);
        Assert.Equal(28, sink.Packets[2].Payload[0] & 0x1F);
        AssertMarkerOnlyOnTheLast(sink);
        Assert.Equal(AccessUnit(s_sps, s_pps, sei, idr), Depacketize(sink));
    }

    [Fact]
    public void Packetize_KeyframeWithNothingToSendButParameterSets_PutsTheMarkerOnTheStapA()
    {
        var sink = Packetize(AccessUnit([0x09, 0xF0]), keyframe: true);

        var (payload, marker) = Assert.Single(sink.Packets);
        Assert.Equal(24, payload[0] & 0x1F);
        Assert.True(marker);
    }

    [Fact]
    public void Packetize_NotAKeyframe_SendsNoParameterSets()
    {
        var slice = Nal(0x41, 50);

        var sink = Packetize(AccessUnit(slice), keyframe: false);

        Assert.Equal(slice, Assert.Single(sink.Packets).Payload);
    }

    [Fact]
    public void Packetize_AccessUnitDelimiterFillerAndEmptyUnits_AreLeftOut()
    {
        var slice = Nal(0x41, 50);

        var sink = Packetize(AccessUnit([0x09, 0xF0], slice, [], Nal(0x0C, 40)));

        var (payload, marker) = Assert.Single(sink.Packets);
        Assert.Equal(slice, payload);
        Assert.True(marker); // the filler after the slice is not sent, so the slice ends the access unit
    }

    [Theory]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(100)]
    [InlineData(500)]
    [InlineData(H264RtpPacketizer.DefaultMaxPayload)]
    public void Packetize_MixedSizes_EveryPayloadFitsAndTheRoundTripIsExact(int maxPayload)
    {
        var random = new Random(maxPayload);
        var nals = Enumerable.Range(0, 40).Select(i => Nal(i % 2 == 0 ? (byte)0x41 : (byte)0x06, random.Next(1, 3000))).ToArray();
        var accessUnit = AccessUnit(nals);

        var sink = Packetize(accessUnit, keyframe: true, maxPayload: maxPayload);

        Assert.All(sink.Packets, p => Assert.InRange(p.Payload.Length, 1, maxPayload));
        AssertMarkerOnlyOnTheLast(sink);
        Assert.Equal(AccessUnit([s_sps, s_pps, .. nals]), Depacketize(sink));
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x05, 0x41, 0x01 })]              // runs past the end
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x01, 0x41, 0x00, 0x00 })]        // a cut prefix after a good unit
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x41 })]                    // 4 GiB
    public void Packetize_MalformedLengthPrefix_ReturnsMinusOneAndSendsNothing(byte[] accessUnit)
    {
        var sink = new RecordingSink();

        Assert.Equal(-1, new H264RtpPacketizer().Packetize(accessUnit, s_sps, s_pps, true, 1188, sink));

        Assert.Empty(sink.Packets);
    }

    [Fact]
    public void Packetize_WithRtpHeaders_ReadsBackThroughRtpPacketTryRead()
    {
        var accessUnit = AccessUnit(Nal(0x06, 10), Nal(0x65, 4000));
        var sink = Packetize(accessUnit, keyframe: true);
        var packets = sink.Packets.Select((p, i) =>
        {
            var packet = new byte[RtpPacket.FixedHeaderLength + p.Payload.Length];
            RtpPacket.Write(packet, new RtpHeader(p.Marker, 102, (ushort)(100 + i), 90_000, 0x1234_5678));
            p.Payload.CopyTo(packet, RtpPacket.FixedHeaderLength);
            return packet;
        });

        var depacketizer = new H264RtpDepacketizer();
        var output = new ArrayBufferWriter<byte>();
        var markers = new List<bool>();
        foreach (var packet in packets)
        {
            Assert.True(RtpPacket.TryRead(packet, out var header, out var payload, out _));
            Assert.Equal((102, 90_000u, 0x1234_5678u), (header.PayloadType, header.Timestamp, header.Ssrc));
            markers.Add(header.Marker);
            depacketizer.Push(payload, header.SequenceNumber, output);
        }

        Assert.Equal(AccessUnit(s_sps, s_pps, Nal(0x06, 10), Nal(0x65, 4000)), output.WrittenSpan.ToArray());
        Assert.Equal(sink.Packets.Select(p => p.Marker), markers);
    }

    private sealed class CountingSink : IRtpPayloadSink
    {
        public int Bytes;

        public void OnPayload(ReadOnlySpan<byte> payloadHeader, ReadOnlySpan<byte> payloadBody, bool marker) =>
            Bytes += payloadHeader.Length + payloadBody.Length;
    }

    [Fact]
    public void Packetize_SecondAccessUnit_AllocatesNothing()
    {
        var packetizer = new H264RtpPacketizer();
        var sink = new CountingSink();
        var accessUnit = AccessUnit(Nal(0x06, 30), Nal(0x41, 200), Nal(0x65, 9000));
        packetizer.Packetize(accessUnit, s_sps, s_pps, true, 1188, sink);
        var before = GC.GetAllocatedBytesForCurrentThread();

        for (var i = 0; i < 100; i++)
        {
            packetizer.Packetize(accessUnit, s_sps, s_pps, true, 1188, sink);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
