using LiveRelay.Core.Media;
using LiveRelay.Formats.Sdp;

namespace LiveRelay.Protocols.Rtsp.Tests;

/// <summary>H.265 (RFC 7798) access units from hand-built RTP packets.</summary>
public sealed partial class RtspTrackAssemblerTests
{
    //  NAL unit header: F (1) | type (6) | LayerId (6) | TID+1 (3); LayerId 0, TID 0.
    private static byte[] HevcNal(int type, int length, int seed) => Rtp.Nal([(byte)(type << 1), 0x01], length, seed);

    private static MediaDescription H265(bool sprop) =>
        new("video", VideoPt, "H265", 90000, 1, sprop
            ? new Dictionary<string, string>
            {
                ["sprop-vps"] = Convert.ToBase64String(Vectors.Vps360Main),
                ["sprop-sps"] = Convert.ToBase64String(Vectors.Sps360Main),
                ["sprop-pps"] = Convert.ToBase64String(Vectors.Pps360Main),
            }
            : new Dictionary<string, string>(), "trackID=0");

    [Fact]
    public void Constructor_SpropVpsSpsPps_H265TrackBeforeAnyPacket()
    {
        var assembler = new RtspTrackAssembler(H265(sprop: true), new FrameSink().OnFrame);

        var track = assembler.Track;
        Assert.NotNull(track);
        Assert.Equal(CodecId.H265, track.Codec);
        Assert.Equal((640, 360), (track.Width, track.Height));
        Assert.Equal("hvc1.1.6.L63.90", track.CodecString);
        Assert.Equal(Convert.ToHexString(Vectors.HvcC360Main), Convert.ToHexString(track.CodecConfig.Span));
    }

    [Fact]
    public void Push_H265FuFragments_ReassembledIntoOneKeyframe()
    {
        var sink = new FrameSink();
        var assembler = new RtspTrackAssembler(H265(sprop: true), sink.OnFrame);
        var idr = HevcNal(19, 4000, seed: 5); // IDR_W_RADL
        var trail = HevcNal(1, 700, seed: 6); // TRAIL_R

        var fragments = Rtp.H265Fu(idr, 1400);
        Assert.Equal(3, fragments.Count);
        for (var i = 0; i < fragments.Count; i++)
        {
            assembler.Push(Rtp.Packet(VideoPt, (ushort)(7 + i), 1_000_000, i == fragments.Count - 1, fragments[i]));
        }

        assembler.Push(Rtp.Packet(VideoPt, 10, 1_003_600, true, trail));

        Assert.Equal(2, sink.Frames.Count);
        Assert.True(sink.Frames[0].IsKeyframe);
        Assert.Equal(Rtp.LengthPrefixed(idr), sink.Frames[0].Payload);
        Assert.False(sink.Frames[1].IsKeyframe);
        Assert.Equal(Rtp.LengthPrefixed(trail), sink.Frames[1].Payload);
        Assert.Equal([0L, 3600L], sink.Frames.Select(f => f.Dts));
        Assert.All(sink.Frames, f => Assert.Equal(CodecId.H265, f.Track.Codec));
    }

    [Theory]
    [InlineData(19, true)] // IDR_W_RADL
    [InlineData(20, true)] // IDR_N_LP
    [InlineData(21, true)] // CRA_NUT
    [InlineData(1, false)] // TRAIL_R
    [InlineData(0, false)] // TRAIL_N
    public void Push_H265NalType_KeyframeOnlyWhenIrap(int type, bool keyframe)
    {
        var sink = new FrameSink();
        var assembler = new RtspTrackAssembler(H265(sprop: true), sink.OnFrame);

        assembler.Push(Rtp.Packet(VideoPt, 1, 0, true, HevcNal(type, 50, seed: type)));

        Assert.Equal(keyframe, Assert.Single(sink.Frames).IsKeyframe);
    }

    [Fact]
    public void Push_H265ParameterSetsInAggregationPacket_TrackFromStreamAndOnlyTheSliceInTheFrame()
    {
        var sink = new FrameSink();
        var assembler = new RtspTrackAssembler(H265(sprop: false), sink.OnFrame);
        Assert.Null(assembler.Track);
        byte[] aud = [35 << 1, 0x01, 0x50];
        var cra = HevcNal(21, 900, seed: 9);

        assembler.Push(Rtp.Packet(VideoPt, 1, 42, false, Rtp.H265Ap(aud, Vectors.Vps360Main, Vectors.Sps360Main, Vectors.Pps360Main)));
        assembler.Push(Rtp.Packet(VideoPt, 2, 42, true, cra));

        var frame = Assert.Single(sink.Frames);
        Assert.True(frame.IsKeyframe);
        Assert.Equal(Rtp.LengthPrefixed(cra), frame.Payload);
        Assert.Equal(Convert.ToHexString(Vectors.HvcC360Main), Convert.ToHexString(frame.Track.CodecConfig.Span));
        Assert.Same(frame.Track, assembler.Track);
    }
}
