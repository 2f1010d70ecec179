using System.Buffers;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Ts;

namespace LiveRelay.Formats.Tests.Ts;

public class TsMuxerVideoTests
{
    private static readonly byte[] Aud = [0x09, 0xF0];

    [Fact]
    public void WriteFrame_Keyframe_PesHasAudSpsPpsBeforeIdr()
    {
        var idr = TsTestData.IdrSlice(500);
        var sei = new byte[] { 0x06, 0x05, 0x02, 0xAB, 0xCD, 0x80 };

        var pes = Assert.Single(Mux(TsTestData.VideoTrack(), TsTestData.Avcc(sei, idr), dts: 3000, pts: 6000, keyframe: true));

        var expected = TsTestData.AnnexB(Aud, sei, TsTestData.Sps, TsTestData.Pps, idr);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(pes.Data));
    }

    [Fact]
    public void WriteFrame_KeyframeWithInbandSps_DoesNotRepeatConfig()
    {
        var idr = TsTestData.IdrSlice(300);

        var pes = Assert.Single(Mux(TsTestData.VideoTrack(), TsTestData.Avcc(TsTestData.BaselineSps, TsTestData.BaselinePps, idr), 0, 0, true));

        Assert.Equal(Convert.ToHexString(TsTestData.AnnexB(Aud, TsTestData.BaselineSps, TsTestData.BaselinePps, idr)), Convert.ToHexString(pes.Data));
    }

    [Fact]
    public void WriteFrame_NonKeyframe_HasAudAndSliceOnlyAndNoRandomAccess()
    {
        var slice = TsTestData.NonIdrSlice(700);

        var pes = Assert.Single(Mux(TsTestData.VideoTrack(), TsTestData.Avcc(slice), 3600, 3600, false));

        Assert.Equal(Convert.ToHexString(TsTestData.AnnexB(Aud, slice)), Convert.ToHexString(pes.Data));
        Assert.False(pes.FirstPacket.RandomAccess);
        Assert.NotNull(pes.FirstPacket.Pcr);
    }

    [Fact]
    public void WriteFrame_Video_PesHeaderHasStreamIdE0UnboundedLengthAndDataAlignment()
    {
        var pes = Assert.Single(Mux(TsTestData.VideoTrack(), TsTestData.Avcc(TsTestData.IdrSlice(100)), 0, 0, true));

        Assert.Equal(0xE0, pes.Header.StreamId);
        Assert.Equal(0, pes.Header.PacketLength);
        Assert.True(pes.Header.DataAlignment);
        Assert.Equal(TsMuxer.VideoPid, pes.Pid);
    }

    [Fact]
    public void WriteFrame_PtsDiffersFromDts_WritesBoth()
    {
        var pes = Assert.Single(Mux(TsTestData.VideoTrack(), TsTestData.Avcc(TsTestData.NonIdrSlice(50)), dts: 900_000, pts: 907_200, keyframe: false));

        Assert.Equal(907_200, pes.Header.Pts);
        Assert.Equal(900_000, pes.Header.Dts);
        Assert.Equal(9 + 10, pes.Header.HeaderLength);
    }

    [Fact]
    public void WriteFrame_PtsEqualsDts_WritesPtsOnly()
    {
        var pes = Assert.Single(Mux(TsTestData.VideoTrack(), TsTestData.Avcc(TsTestData.NonIdrSlice(50)), dts: 123_456, pts: 123_456, keyframe: false));

        Assert.Equal(123_456, pes.Header.Pts);
        Assert.Null(pes.Header.Dts);
        Assert.Equal(9 + 5, pes.Header.HeaderLength);
        Assert.Equal(0x21, pes.Packets[0].Bytes[pes.FirstPacket.PayloadOffset + 9] & 0xF1); // '0010' prefix, marker
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(0x7FFF)]
    [InlineData(0x8000)]
    [InlineData(0x3FFF_FFFFL)]
    [InlineData(0x4000_0000L)]
    [InlineData(0xFFFF_FFFFL)]
    [InlineData(0x1_FFFF_FFFFL)]
    [InlineData(8_589_934_592L + 12_345)] // 2^33 + 12345 wraps to 12345
    [InlineData(3 * 8_589_934_592L + 7)]
    [InlineData(-90_000L)] // wraps to 2^33 − 90000
    public void WriteFrame_Timestamps_RoundTripModulo2Pow33(long dts)
    {
        var pts = dts + 7200;

        var pes = Assert.Single(Mux(TsTestData.VideoTrack(), TsTestData.Avcc(TsTestData.NonIdrSlice(50)), dts, pts, false));

        const long modulus = 1L << 33;
        var wrappedDts = ((dts % modulus) + modulus) % modulus;
        var wrappedPts = ((pts % modulus) + modulus) % modulus;
        Assert.Equal(wrappedPts, pes.Header.Pts);
        Assert.Equal(wrappedDts, pes.Header.Dts);
        Assert.Equal(wrappedDts * 300, pes.FirstPacket.Pcr);
    }

    [Fact]
    public void WriteFrame_PtsAndDtsEqualAfterWrap_WritesPtsOnly()
    {
        const long modulus = 1L << 33;

        var pes = Assert.Single(Mux(TsTestData.VideoTrack(), TsTestData.Avcc(TsTestData.NonIdrSlice(50)), dts: 5, pts: modulus + 5, keyframe: false));

        Assert.Equal(5, pes.Header.Pts);
        Assert.Null(pes.Header.Dts);
    }

    [Fact]
    public void WriteFrame_Keyframe_FirstPacketHasPcrEqualToDtsAndRandomAccess()
    {
        var pes = Assert.Single(Mux(TsTestData.VideoTrack(), TsTestData.Avcc(TsTestData.IdrSlice(2000)), dts: 1_234_567, pts: 1_241_767, keyframe: true));

        Assert.True(pes.FirstPacket.PayloadUnitStart);
        Assert.True(pes.FirstPacket.RandomAccess);
        Assert.Equal(1_234_567L * 300, pes.FirstPacket.Pcr);
        Assert.Equal(1_234_567L, pes.FirstPacket.PcrBase);
        Assert.Equal(8, pes.FirstPacket.AdaptationFieldLength); // length, flags, 6-byte PCR
        Assert.All(pes.Packets.Skip(1), p =>
        {
            Assert.False(p.Header.PayloadUnitStart);
            Assert.Null(p.Header.Pcr);
            Assert.False(p.Header.RandomAccess);
        });
    }

    [Fact]
    public void WriteFrame_LargeFrame_SplitsAcrossPacketsWithStuffingOnlyInLast()
    {
        var idr = TsTestData.IdrSlice(50_000);

        var pes = Assert.Single(Mux(TsTestData.VideoTrack(), TsTestData.Avcc(idr), 0, 0, true));

        var expected = TsTestData.AnnexB(Aud, TsTestData.Sps, TsTestData.Pps, idr);
        Assert.Equal(expected, pes.Data);
        var pesLength = 14 + expected.Length;
        var expectedPackets = 1 + (int)Math.Ceiling((pesLength - (184 - 8)) / 184.0);
        Assert.Equal(expectedPackets, pes.Packets.Count);
        foreach (var (header, _) in pes.Packets.Skip(1).SkipLast(1))
        {
            Assert.Equal(0, header.AdaptationFieldLength); // middle packets: payload only
            Assert.Equal(4, header.PayloadOffset);
        }

        var (last, lastBytes) = pes.Packets[^1];
        var stuffing = 184 - (pesLength - (184 - 8)) % 184;
        Assert.Equal(stuffing, last.AdaptationFieldLength);
        AssertStuffing(lastBytes, last);
    }

    [Fact]
    public void WriteFrame_EveryLastPacketFill_StuffsWithAdaptationFieldNotPayload()
    {
        // PES sizes that leave 0 to 184 bytes free in the last packet, including the one- and two-byte
        // adaptation fields (length 0; length 1 with flags only).
        var seenFieldLengths = new HashSet<int>();
        for (var sliceLength = 160; sliceLength < 160 + 2 * 184; sliceLength++)
        {
            var slice = TsTestData.NonIdrSlice(sliceLength);
            var pes = Assert.Single(Mux(TsTestData.VideoTrack(), TsTestData.Avcc(slice), 0, 0, false));

            Assert.Equal(TsTestData.AnnexB(Aud, slice), pes.Data);
            var (last, lastBytes) = pes.Packets[^1];
            if (pes.Packets.Count > 1)
            {
                seenFieldLengths.Add(last.AdaptationFieldLength);
                AssertStuffing(lastBytes, last);
            }
        }

        Assert.Contains(0, seenFieldLengths);
        Assert.Contains(1, seenFieldLengths);
        Assert.Contains(2, seenFieldLengths);
        Assert.Contains(183, seenFieldLengths);
    }

    [Fact]
    public void WriteFrame_ShortKeyframe_StuffsAfterPcrInFirstPacket()
    {
        var slice = TsTestData.IdrSlice(20);

        var pes = Assert.Single(Mux(TsTestData.VideoTrack(null), TsTestData.Avcc(slice), 90_000, 90_000, true));

        var (header, bytes) = Assert.Single(pes.Packets);
        Assert.Equal(90_000L * 300, header.Pcr);
        Assert.True(header.RandomAccess);
        Assert.True(bytes.AsSpan(4 + 8, header.AdaptationFieldLength - 8).IndexOfAnyExcept((byte)0xFF) < 0);
    }

    [Fact]
    public void WriteFrame_ManyFrames_ContinuityCounterWrapsOnVideoPid()
    {
        var muxer = new TsMuxer(TsTestData.VideoTrack(), TsTestData.AudioTrack());
        var output = new ArrayBufferWriter<byte>();
        var track = TsTestData.VideoTrack();
        for (var i = 0; i < 40; i++)
        {
            WriteFrame(muxer, output, track, TsTestData.Avcc(TsTestData.NonIdrSlice(100 + 37 * i)), i * 3600, i * 3600, false);
        }

        var packets = TsTestDemuxer.Packets(output.WrittenSpan); // asserts +1 modulo 16
        var counters = packets.Select(p => p.Header.ContinuityCounter).ToArray();
        Assert.True(packets.Count > 32);
        Assert.Equal(Enumerable.Range(0, packets.Count).Select(i => i & 0xF), counters);
    }

    [Fact]
    public void WriteFrame_TrackInstanceChanges_UsesNewConfiguration()
    {
        var muxer = new TsMuxer(TsTestData.VideoTrack(), null);
        var output = new ArrayBufferWriter<byte>();
        var idr = TsTestData.IdrSlice(100);
        var baseline = TsTestData.VideoTrack(LiveRelay.Codecs.H264.AvcDecoderConfiguration.Build(TsTestData.BaselineSps, TsTestData.BaselinePps));

        WriteFrame(muxer, output, TsTestData.VideoTrack(), TsTestData.Avcc(idr), 0, 0, true);
        WriteFrame(muxer, output, baseline, TsTestData.Avcc(idr), 3600, 3600, true);
        WriteFrame(muxer, output, TsTestData.VideoTrack(), TsTestData.Avcc(idr), 7200, 7200, true);

        var pes = TsTestDemuxer.Pes(output.WrittenSpan);
        Assert.Equal(TsTestData.AnnexB(Aud, TsTestData.Sps, TsTestData.Pps, idr), pes[0].Data);
        Assert.Equal(TsTestData.AnnexB(Aud, TsTestData.BaselineSps, TsTestData.BaselinePps, idr), pes[1].Data);
        Assert.Equal(TsTestData.AnnexB(Aud, TsTestData.Sps, TsTestData.Pps, idr), pes[2].Data);
    }

    [Fact]
    public void WriteFrame_NoCodecConfig_WritesSlicesWithoutParameterSets()
    {
        var idr = TsTestData.IdrSlice(100);

        var pes = Assert.Single(Mux(TsTestData.VideoTrack([]), TsTestData.Avcc(idr), 0, 0, true));

        Assert.Equal(TsTestData.AnnexB(Aud, idr), pes.Data);
    }

    [Fact]
    public void WriteFrame_MalformedNalLength_ReturnsFalseAndWritesNothing()
    {
        var muxer = new TsMuxer(TsTestData.VideoTrack(), null);
        var output = new ArrayBufferWriter<byte>();
        var avcc = TsTestData.Avcc(TsTestData.IdrSlice(100));
        avcc[3] = 200; // length 200 > 100 bytes present

        Assert.False(WriteFrame(muxer, output, TsTestData.VideoTrack(), avcc, 0, 0, true));
        Assert.Equal(0, output.WrittenCount);

        // The counters did not move: the next frame starts at 0.
        Assert.True(WriteFrame(muxer, output, TsTestData.VideoTrack(), TsTestData.Avcc(TsTestData.IdrSlice(10)), 0, 0, true));
        Assert.Equal(0, TsTestDemuxer.Packets(output.WrittenSpan)[0].Header.ContinuityCounter);
    }

    [Fact]
    public void WriteFrame_VideoFrameWithoutVideoStream_ReturnsFalse()
    {
        var muxer = new TsMuxer(null, TsTestData.AudioTrack());
        var output = new ArrayBufferWriter<byte>();

        Assert.False(WriteFrame(muxer, output, TsTestData.VideoTrack(), TsTestData.Avcc(TsTestData.IdrSlice(10)), 0, 0, true));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void WriteFrame_DifferentVideoCodec_ReturnsFalse()
    {
        var muxer = new TsMuxer(TsTestData.VideoTrack(), null);
        var output = new ArrayBufferWriter<byte>();
        var hevc = new TrackInfo { Kind = MediaKind.Video, Codec = CodecId.H265 };

        Assert.False(WriteFrame(muxer, output, hevc, TsTestData.Avcc(TsTestData.IdrSlice(10)), 0, 0, true));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void WriteFrame_SteadyState_DoesNotAllocate()
    {
        var video = TsTestData.VideoTrack();
        var audio = TsTestData.AudioTrack();
        var muxer = new TsMuxer(video, audio);
        var output = new ArrayBufferWriter<byte>(1 << 20);
        var key = MediaFrame.Copy(video, TsTestData.Avcc(TsTestData.IdrSlice(30_000)), 0, 3600, true);
        var delta = MediaFrame.Copy(video, TsTestData.Avcc(TsTestData.NonIdrSlice(5_000)), 3600, 7200, false);
        var sound = MediaFrame.Copy(audio, new byte[400], 0, 0, false);
        try
        {
            void WriteGop()
            {
                output.ResetWrittenCount();
                muxer.WriteTables(output);
                muxer.WriteFrame(key, output);
                for (var i = 0; i < 10; i++)
                {
                    muxer.WriteFrame(delta, output);
                    muxer.WriteFrame(sound, output);
                }
            }

            WriteGop(); // warm up: scratch buffers grow, configurations are parsed
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 20; i++)
            {
                WriteGop();
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.True(output.WrittenCount > 100 * TsPacket.Length);
        }
        finally
        {
            key.Release();
            delta.Release();
            sound.Release();
        }
    }

    internal static bool WriteFrame(TsMuxer muxer, IBufferWriter<byte> output, TrackInfo track, byte[] payload, long dts, long pts, bool keyframe)
    {
        var frame = MediaFrame.Copy(track, payload, dts, pts, keyframe);
        try
        {
            return muxer.WriteFrame(frame, output);
        }
        finally
        {
            frame.Release();
        }
    }

    private static List<DemuxedPes> Mux(TrackInfo track, byte[] payload, long dts, long pts, bool keyframe)
    {
        var muxer = new TsMuxer(TsTestData.VideoTrack(), TsTestData.AudioTrack());
        var output = new ArrayBufferWriter<byte>();
        Assert.True(WriteFrame(muxer, output, track, payload, dts, pts, keyframe));
        Assert.Equal(0, output.WrittenCount % TsPacket.Length);
        return TsTestDemuxer.Pes(output.WrittenSpan);
    }

    private static void AssertStuffing(byte[] packet, TsPacketHeader header)
    {
        Assert.True(header.HasPayload);
        var fieldLength = header.AdaptationFieldLength;
        if (fieldLength == 0)
        {
            Assert.Equal(0x10, packet[3] & 0x30); // payload only
            return;
        }

        Assert.Equal(0x30, packet[3] & 0x30);
        Assert.Equal(fieldLength - 1, packet[4]);
        if (fieldLength >= 2)
        {
            Assert.Equal(0x00, packet[5]); // no flags on a stuffing-only field
            Assert.True(packet.AsSpan(6, fieldLength - 2).IndexOfAnyExcept((byte)0xFF) < 0, "stuffing bytes must be 0xFF");
        }
    }
}
