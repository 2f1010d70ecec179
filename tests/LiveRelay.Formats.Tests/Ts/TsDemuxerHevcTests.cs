using System.Buffers;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Ts;
using static LiveRelay.Formats.Tests.Ts.TsDemuxerTestStream;
using static LiveRelay.Formats.Tests.Ts.TsHevcTestData;

namespace LiveRelay.Formats.Tests.Ts;

public class TsDemuxerHevcTests
{
    private const long Start = 900_000;
    private const long FrameTicks = 3600; // 25 fps

    [Fact]
    public void Push_MuxedHevcWithInbandParameterSets_RoundTripsPayloadsTimestampsAndKeyframes()
    {
        var video = VideoTrack();
        var audio = Audio();
        var muxer = new TsMuxer(video, audio);
        var output = new ArrayBufferWriter<byte>();
        muxer.WriteTables(output);
        var expected = new List<Demuxed>();
        for (var v = 0; v < 12; v++)
        {
            var dts = Start + v * FrameTicks;
            var pts = dts + (v % 3) * FrameTicks;
            var payload = v switch
            {
                0 => TsTestData.Avcc(Vps, Sps, Pps, Sei(50), IdrSlice(3000)),
                6 => TsTestData.Avcc(Vps, Sps, Pps, CraSlice(2500)), // open-GOP keyframe
                _ => TsTestData.Avcc(TrailSlice(300 + v * 411)),
            };
            Write(muxer, output, video, payload, dts, pts, keyframe: v % 6 == 0);
            expected.Add(new Demuxed(video, CodecId.H265, dts, pts, v % 6 == 0, payload));
            Write(muxer, output, audio, RawAac(200, v), dts, dts, keyframe: false);
        }

        var reports = new List<(int, int)>();
        var (demuxer, frames) = Create();
        demuxer.UnsupportedStream += (pid, type) => reports.Add((pid, type));
        Feed(demuxer, output.WrittenSpan, chunk: 1316);

        var demuxed = frames.Where(f => f.Codec == CodecId.H265).ToList();
        Assert.Equal(expected.Select(f => f.ToString()), demuxed.Select(f => f.ToString()));
        Assert.Equal(12, frames.Count(f => f.Codec == CodecId.Aac));
        Assert.Empty(reports);
        Assert.Equal(0, demuxer.FramesBeforeConfig);
        Assert.Equal(0, demuxer.DroppedPes);

        var track = Assert.Single(demuxed.Select(f => f.Track).Distinct());
        Assert.Equal(CodecId.H265, track.Codec);
        Assert.Equal(MediaKind.Video, track.Kind);
        Assert.Equal(Convert.ToHexString(HvcC), Convert.ToHexString(track.CodecConfig.ToArray())); // the bytes ffmpeg writes
        Assert.Equal((640, 360), (track.Width, track.Height));
        Assert.Equal("hvc1.1.6.L63.90", track.CodecString);
    }

    [Fact]
    public void Push_MuxedHevcWithoutInbandParameterSets_KeyframesCarryTheTrackParameterSets()
    {
        var muxer = new TsMuxer(VideoTrack(), null);
        var output = new ArrayBufferWriter<byte>();
        muxer.WriteTables(output);
        var idr = IdrSlice(1200);
        var trail = TrailSlice(400);
        Write(muxer, output, VideoTrack(), TsTestData.Avcc(idr), Start, Start, keyframe: true);
        Write(muxer, output, VideoTrack(), TsTestData.Avcc(trail), Start + FrameTicks, Start + FrameTicks, keyframe: false);

        var frames = DemuxAll(output.WrittenSpan);

        Assert.Equal(2, frames.Count);
        Assert.Equal(Convert.ToHexString(TsTestData.Avcc(Vps, Sps, Pps, idr)), Convert.ToHexString(frames[0].Payload));
        Assert.Equal(TsTestData.Avcc(trail), frames[1].Payload);
        Assert.Equal([true, false], frames.Select(f => f.Keyframe));
        Assert.Equal(HvcC, frames[0].Track.CodecConfig.ToArray());
    }

    [Fact]
    public void Push_FramesBeforeParameterSets_AreCountedNotEmitted()
    {
        var noConfig = VideoTrack([]); // the muxer then inserts nothing
        var muxer = new TsMuxer(noConfig, null);
        var output = new ArrayBufferWriter<byte>();
        muxer.WriteTables(output);
        Write(muxer, output, noConfig, TsTestData.Avcc(TrailSlice(100)), Start, Start, false);
        Write(muxer, output, noConfig, TsTestData.Avcc(IdrSlice(100)), Start + FrameTicks, Start + FrameTicks, true);
        Write(muxer, output, noConfig, TsTestData.Avcc(Sps, Pps, IdrSlice(100)), Start + 2 * FrameTicks, Start + 2 * FrameTicks, true); // no VPS yet
        Write(muxer, output, noConfig, TsTestData.Avcc(Vps, Sps, Pps, IdrSlice(120)), Start + 3 * FrameTicks, Start + 3 * FrameTicks, true);
        Write(muxer, output, noConfig, TsTestData.Avcc(TrailSlice(100)), Start + 4 * FrameTicks, Start + 4 * FrameTicks, false);
        var (demuxer, frames) = Create();

        Feed(demuxer, output.WrittenSpan);

        Assert.Equal(3, demuxer.FramesBeforeConfig);
        Assert.Equal([Start + 3 * FrameTicks, Start + 4 * FrameTicks], frames.Select(f => f.Dts));
        Assert.True(frames[0].Keyframe);
    }

    [Fact]
    public void Push_RepeatedParameterSets_KeepOneTrackUntilTheBytesChange()
    {
        byte[] otherPps = Convert.FromHexString("4401c172860c4624");
        var muxer = new TsMuxer(VideoTrack(), null);
        var output = new ArrayBufferWriter<byte>();
        muxer.WriteTables(output);
        Write(muxer, output, VideoTrack(), TsTestData.Avcc(Vps, Sps, Pps, IdrSlice(100)), Start, Start, true);
        Write(muxer, output, VideoTrack(), TsTestData.Avcc(TrailSlice(100)), Start + FrameTicks, Start + FrameTicks, false);
        Write(muxer, output, VideoTrack(), TsTestData.Avcc(Vps, Sps, Pps, IdrSlice(100)), Start + 2 * FrameTicks, Start + 2 * FrameTicks, true);
        Write(muxer, output, VideoTrack(), TsTestData.Avcc(Vps, Sps, otherPps, IdrSlice(100)), Start + 3 * FrameTicks, Start + 3 * FrameTicks, true);
        Write(muxer, output, VideoTrack(), TsTestData.Avcc(TrailSlice(100)), Start + 4 * FrameTicks, Start + 4 * FrameTicks, false);

        var frames = DemuxAll(output.WrittenSpan);

        Assert.Equal(5, frames.Count);
        Assert.Same(frames[0].Track, frames[1].Track);
        Assert.Same(frames[0].Track, frames[2].Track);
        Assert.NotSame(frames[2].Track, frames[3].Track);
        Assert.Same(frames[3].Track, frames[4].Track);
        Assert.EndsWith("a2000100084401C172860C4624".ToUpperInvariant(), Convert.ToHexString(frames[3].Track.CodecConfig.ToArray()));
    }

    [Fact]
    public void Push_UnparseableSps_NoTrackAndFramesCounted()
    {
        var broken = (byte[])Sps.Clone();
        broken[^1] = 0x20; // 0x21 without its rbsp_stop_one_bit
        var noConfig = VideoTrack([]);
        var muxer = new TsMuxer(noConfig, null);
        var output = new ArrayBufferWriter<byte>();
        muxer.WriteTables(output);
        Write(muxer, output, noConfig, TsTestData.Avcc(Vps, broken, Pps, IdrSlice(100)), Start, Start, true);
        var (demuxer, frames) = Create();

        Feed(demuxer, output.WrittenSpan);

        Assert.Empty(frames);
        Assert.Equal(1, demuxer.FramesBeforeConfig);
    }
}
