using System.Buffers;
using System.Buffers.Binary;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Ts;
using static LiveRelay.Formats.Tests.Ts.TsHevcTestData;

namespace LiveRelay.Formats.Tests.Ts;

public class TsMuxerHevcTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WriteTables_HevcProgram_PmtAnnouncesStreamType0x24OnVideoPid(bool withAudio)
    {
        var muxer = new TsMuxer(VideoTrack(), withAudio ? TsTestData.AudioTrack() : null);
        var output = new ArrayBufferWriter<byte>();

        muxer.WriteTables(output);

        var (pmtHeader, pmtBytes) = TsTestDemuxer.Packets(output.WrittenSpan)[1];
        Assert.Equal(TsMuxer.PmtPid, pmtHeader.Pid);
        Assert.True(TsPsiSection.TryRead(TsPacketReader.GetPayload(pmtBytes, pmtHeader), out var pmt));
        Assert.Equal(TsMuxer.VideoPid, BinaryPrimitives.ReadUInt16BigEndian(pmt.Body) & 0x1FFF); // PCR PID
        var streams = new List<(int Type, int Pid)>();
        for (var entry = pmt.Body[4..]; !entry.IsEmpty; entry = entry[5..])
        {
            streams.Add((entry[0], BinaryPrimitives.ReadUInt16BigEndian(entry[1..]) & 0x1FFF));
        }

        List<(int, int)> expected = withAudio
            ? [(0x24, TsMuxer.VideoPid), (TsStreamType.AacAdts, TsMuxer.AudioPid)]
            : [(0x24, TsMuxer.VideoPid)];
        Assert.Equal(expected, streams);
    }

    [Fact]
    public void WriteFrame_IrapWithoutParameterSets_PesHasAudThenVpsSpsPpsFromTheTrack()
    {
        var sei = Sei(40);
        var idr = IdrSlice(600);

        var pes = Assert.Single(Mux(VideoTrack(), TsTestData.Avcc(sei, idr), dts: 3000, pts: 6000, keyframe: true));

        var expected = TsTestData.AnnexB(Aud, Vps, Sps, Pps, sei, idr);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(pes.Data));
        Assert.True(pes.FirstPacket.RandomAccess);
        Assert.Equal(3000L * 300, pes.FirstPacket.Pcr);
        Assert.Equal(0xE0, pes.Header.StreamId);
        Assert.Equal((6000L, 3000L), (pes.Header.Pts, pes.Header.Dts));
    }

    [Fact]
    public void WriteFrame_CraWithoutParameterSets_AlsoGetsThem()
    {
        var cra = CraSlice(300);

        var pes = Assert.Single(Mux(VideoTrack(), TsTestData.Avcc(cra), 0, 0, keyframe: true));

        Assert.Equal(TsTestData.AnnexB(Aud, Vps, Sps, Pps, cra), pes.Data);
    }

    [Fact]
    public void WriteFrame_IrapWithInbandParameterSets_DoesNotRepeatThem()
    {
        var idr = IdrSlice(300);

        var pes = Assert.Single(Mux(VideoTrack(), TsTestData.Avcc(Vps, Sps, Pps, idr), 0, 0, true));

        Assert.Equal(Convert.ToHexString(TsTestData.AnnexB(Aud, Vps, Sps, Pps, idr)), Convert.ToHexString(pes.Data));
    }

    [Fact]
    public void WriteFrame_TrailingPicture_HasAudAndSliceOnlyAndNoRandomAccess()
    {
        var slice = TrailSlice(700);

        var pes = Assert.Single(Mux(VideoTrack(), TsTestData.Avcc(slice), 3600, 3600, false));

        Assert.Equal(Convert.ToHexString(TsTestData.AnnexB(Aud, slice)), Convert.ToHexString(pes.Data));
        Assert.False(pes.FirstPacket.RandomAccess);
    }

    [Fact]
    public void WriteFrame_TrackWithoutConfig_WritesIrapWithoutParameterSets()
    {
        var idr = IdrSlice(100);

        var pes = Assert.Single(Mux(VideoTrack([]), TsTestData.Avcc(idr), 0, 0, true));

        Assert.Equal(TsTestData.AnnexB(Aud, idr), pes.Data);
    }

    [Fact]
    public void WriteFrame_MalformedNalLength_ReturnsFalseAndWritesNothing()
    {
        var muxer = new TsMuxer(VideoTrack(), null);
        var output = new ArrayBufferWriter<byte>();
        var hvcc = TsTestData.Avcc(IdrSlice(100));
        hvcc[3] = 200;

        Assert.False(TsMuxerVideoTests.WriteFrame(muxer, output, VideoTrack(), hvcc, 0, 0, true));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void WriteFrame_H264FrameOnHevcProgram_ReturnsFalse()
    {
        var muxer = new TsMuxer(VideoTrack(), null);
        var output = new ArrayBufferWriter<byte>();

        Assert.False(TsMuxerVideoTests.WriteFrame(muxer, output, TsTestData.VideoTrack(), TsTestData.Avcc(TsTestData.IdrSlice(10)), 0, 0, true));
        Assert.Equal(0, output.WrittenCount);
    }

    [Theory]
    [InlineData(CodecId.H264, true)]
    [InlineData(CodecId.H265, true)]
    [InlineData(CodecId.Aac, true)]
    [InlineData(CodecId.Opus, false)]
    [InlineData(CodecId.Unknown, false)]
    public void CanCarry_Codec_MatchesWhatTheConstructorAccepts(CodecId codec, bool expected)
    {
        Assert.Equal(expected, TsMuxer.CanCarry(codec));
    }

    [Fact]
    public void WriteFrame_HevcSteadyState_DoesNotAllocate()
    {
        var video = VideoTrack();
        var audio = TsTestData.AudioTrack();
        var muxer = new TsMuxer(video, audio);
        var output = new ArrayBufferWriter<byte>(1 << 20);
        var key = MediaFrame.Copy(video, TsTestData.Avcc(Sei(30), IdrSlice(30_000)), 0, 3600, true);
        var delta = MediaFrame.Copy(video, TsTestData.Avcc(TrailSlice(5_000)), 3600, 7200, false);
        var sound = MediaFrame.Copy(audio, new byte[400], 0, 0, false);
        try
        {
            void WriteGop()
            {
                output.ResetWrittenCount();
                muxer.WriteTables(output);
                Assert.True(muxer.WriteFrame(key, output));
                for (var i = 0; i < 10; i++)
                {
                    Assert.True(muxer.WriteFrame(delta, output));
                    Assert.True(muxer.WriteFrame(sound, output));
                }
            }

            WriteGop(); // warm up: scratch buffers grow, the hvcC is parsed once
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

    private static List<DemuxedPes> Mux(TrackInfo track, byte[] payload, long dts, long pts, bool keyframe)
    {
        var muxer = new TsMuxer(VideoTrack(), TsTestData.AudioTrack());
        var output = new ArrayBufferWriter<byte>();
        Assert.True(TsMuxerVideoTests.WriteFrame(muxer, output, track, payload, dts, pts, keyframe));
        return TsTestDemuxer.Pes(output.WrittenSpan);
    }
}
