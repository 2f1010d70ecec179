using LiveRelay.Core.Media;
using LiveRelay.Formats.Sdp;

namespace LiveRelay.Protocols.Rtsp.Tests;

/// <summary>H.264 (RFC 6184) access units from hand-built RTP packets.</summary>
public sealed partial class RtspTrackAssemblerTests
{
    private const byte VideoPt = 96;
    private const byte AudioPt = 97;

    private static readonly byte[] s_aud = [0x09, 0xF0];

    // nal_ref_idc 3, type 5 (IDR) and type 1 (non-IDR slice).
    private static readonly byte[] s_idr = Rtp.Nal([0x65, 0x88], 3000, seed: 1);
    private static readonly byte[] s_slice = Rtp.Nal([0x41, 0x9A], 400, seed: 2);
    private static readonly byte[] s_slice2 = Rtp.Nal([0x41, 0x9B], 300, seed: 3);

    private static MediaDescription H264(Dictionary<string, string>? format = null) =>
        new("video", VideoPt, "H264", 90000, 1, format ?? new Dictionary<string, string> { ["packetization-mode"] = "1" }, "trackID=0");

    private static Dictionary<string, string> Sprop(byte[] sps, byte[] pps) => new()
    {
        ["packetization-mode"] = "1",
        ["sprop-parameter-sets"] = $"{Convert.ToBase64String(sps)},{Convert.ToBase64String(pps)}",
    };

    /// <summary>Pushes an access unit as a STAP-A of AUD+SPS+PPS then FU-A fragments of the IDR; returns the next sequence number.</summary>
    private static ushort PushKeyAccessUnit(RtspTrackAssembler assembler, ushort sequence, uint timestamp)
    {
        assembler.Push(Rtp.Packet(VideoPt, sequence++, timestamp, false, Rtp.StapA(s_aud, Vectors.Sps360Baseline, Vectors.Pps360Baseline)));
        var fragments = Rtp.FuA(s_idr, 1200);
        for (var i = 0; i < fragments.Count; i++)
        {
            assembler.Push(Rtp.Packet(VideoPt, sequence++, timestamp, i == fragments.Count - 1, fragments[i]));
        }

        return sequence;
    }

    [Fact]
    public void Push_StapAParameterSetsAndFuAIdr_OneKeyframeWithTheIdrOnly()
    {
        var sink = new FrameSink();
        var assembler = new RtspTrackAssembler(H264(), sink.OnFrame);
        Assert.Null(assembler.Track);

        PushKeyAccessUnit(assembler, 1000, 0x1000_0000);

        var frame = Assert.Single(sink.Frames);
        Assert.True(frame.IsKeyframe);
        Assert.Equal(Rtp.LengthPrefixed(s_idr), frame.Payload);
        Assert.Equal((0L, 0L), (frame.Dts, frame.Pts));
        Assert.Equal(CodecId.H264, frame.Track.Codec);
        Assert.Equal(MediaKind.Video, frame.Track.Kind);
        Assert.Equal((640, 360), (frame.Track.Width, frame.Track.Height));
        Assert.Equal("avc1.42c01e", frame.Track.CodecString);
        Assert.Equal(Convert.ToHexString(Vectors.AvcC360Baseline), Convert.ToHexString(frame.Track.CodecConfig.Span));
        Assert.Same(frame.Track, assembler.Track);
    }

    [Fact]
    public void Push_FollowingAccessUnits_NotKeyframesTimedFromTheTimestampDelta()
    {
        const uint Start = 0x1000_0000;
        var sink = new FrameSink();
        var assembler = new RtspTrackAssembler(H264(), sink.OnFrame);
        var sequence = PushKeyAccessUnit(assembler, 1000, Start);

        // 29.97 fps: 3003 ticks a frame. The third access unit has two slices and no marker: the next timestamp ends it.
        assembler.Push(Rtp.Packet(VideoPt, sequence++, Start + 3003, true, s_slice));
        assembler.Push(Rtp.Packet(VideoPt, sequence++, Start + 6006, false, s_slice));
        assembler.Push(Rtp.Packet(VideoPt, sequence++, Start + 6006, false, s_slice2));
        assembler.Push(Rtp.Packet(VideoPt, sequence, Start + 9009, true, s_slice2));

        Assert.Equal([0L, 3003L, 6006L, 9009L], sink.Frames.Select(f => f.Dts));
        Assert.Equal([0L, 3003L, 6006L, 9009L], sink.Frames.Select(f => f.Pts));
        Assert.Equal([true, false, false, false], sink.Frames.Select(f => f.IsKeyframe));
        Assert.Equal(Rtp.LengthPrefixed(s_slice), sink.Frames[1].Payload);
        Assert.Equal([.. Rtp.LengthPrefixed(s_slice), .. Rtp.LengthPrefixed(s_slice2)], sink.Frames[2].Payload);
        Assert.Equal(Rtp.LengthPrefixed(s_slice2), sink.Frames[3].Payload);
    }

    [Fact]
    public void Push_TimestampWrapsPast32Bits_TimeKeepsIncreasing()
    {
        var sink = new FrameSink();
        var assembler = new RtspTrackAssembler(H264(Sprop(Vectors.Sps360Baseline, Vectors.Pps360Baseline)), sink.OnFrame);

        uint[] timestamps = [0xFFFF_F000, 0xFFFF_FBB8, 0x0000_0770, 0x0000_1328];
        for (var i = 0; i < timestamps.Length; i++)
        {
            assembler.Push(Rtp.Packet(VideoPt, (ushort)(65534 + i), timestamps[i], true, i == 0 ? s_idr : s_slice));
        }

        Assert.Equal([0L, 3000L, 6000L, 9000L], sink.Frames.Select(f => f.Dts));
    }

    [Fact]
    public void Push_WrongPayloadType_IgnoredAndDoesNotFixTheOrigin()
    {
        var sink = new FrameSink();
        var assembler = new RtspTrackAssembler(H264(Sprop(Vectors.Sps360Baseline, Vectors.Pps360Baseline)), sink.OnFrame);

        assembler.Push(Rtp.Packet(AudioPt, 1, 90000, true, s_idr));
        Assert.Empty(sink.Frames);

        assembler.Push(Rtp.Packet(VideoPt, 2, 180000, true, s_idr));
        assembler.Push(Rtp.Packet(VideoPt, 3, 183000, true, s_slice));

        Assert.Equal([0L, 3000L], sink.Frames.Select(f => f.Dts));
        Assert.True(sink.Frames[0].IsKeyframe);
    }

    [Fact]
    public void Constructor_SpropParameterSets_TrackBeforeAnyPacket()
    {
        var sink = new FrameSink();

        var assembler = new RtspTrackAssembler(H264(Sprop(Vectors.Sps720High, Vectors.Pps720High)), sink.OnFrame);

        var track = assembler.Track;
        Assert.NotNull(track);
        Assert.Equal(CodecId.H264, track.Codec);
        Assert.Equal((1280, 720), (track.Width, track.Height));
        Assert.Equal("avc1.64001f", track.CodecString);
        Assert.Equal(Convert.ToHexString(Vectors.AvcC720High), Convert.ToHexString(track.CodecConfig.Span));
        Assert.Empty(sink.Frames);
    }

    [Fact]
    public void Push_InBandParameterSetsDifferFromSprop_FrameCarriesTheNewTrack()
    {
        var sink = new FrameSink();
        var assembler = new RtspTrackAssembler(H264(Sprop(Vectors.Sps360Baseline, Vectors.Pps360Baseline)), sink.OnFrame);
        var fromSdp = assembler.Track;

        assembler.Push(Rtp.Packet(VideoPt, 1, 5000, false, Rtp.StapA(Vectors.Sps720High, Vectors.Pps720High)));
        assembler.Push(Rtp.Packet(VideoPt, 2, 5000, true, s_idr));

        var frame = Assert.Single(sink.Frames);
        Assert.NotSame(fromSdp, frame.Track);
        Assert.Equal((1280, 720), (frame.Track.Width, frame.Track.Height));
        Assert.Equal(Convert.ToHexString(Vectors.AvcC720High), Convert.ToHexString(frame.Track.CodecConfig.Span));
        Assert.Equal(Rtp.LengthPrefixed(s_idr), frame.Payload);
    }

    [Fact]
    public void Push_SliceBeforeAnyParameterSets_NoFrame()
    {
        var sink = new FrameSink();
        var assembler = new RtspTrackAssembler(H264(), sink.OnFrame);

        assembler.Push(Rtp.Packet(VideoPt, 1, 0, true, s_slice));
        PushKeyAccessUnit(assembler, 2, 3000);

        var frame = Assert.Single(sink.Frames);
        Assert.True(frame.IsKeyframe);
    }

    [Theory]
    [InlineData("H264")]
    [InlineData("H265")]
    public void WhyNotCarried_Video_Null(string encoding)
    {
        Assert.Null(RtspTrackAssembler.WhyNotCarried(new MediaDescription("video", VideoPt, encoding, 90000, 1, new Dictionary<string, string>(), null)));
    }

    [Theory]
    [InlineData("PCMA", 8)]
    [InlineData("PCMU", 0)]
    public void WhyNotCarried_G711NotAt8kHz_G711Reason(string encoding, int payloadType)
    {
        var media = new MediaDescription("audio", payloadType, encoding, 16000, 1, new Dictionary<string, string>(), null);

        Assert.Contains("G.711", RtspTrackAssembler.WhyNotCarried(media), StringComparison.Ordinal);
    }

    [Fact]
    public void WhyNotCarried_Mpeg4GenericWithoutConfig_SaysSo()
    {
        var media = new MediaDescription("audio", AudioPt, "MPEG4-GENERIC", 48000, 2, new Dictionary<string, string> { ["mode"] = "AAC-hbr" }, null);

        Assert.Equal("MPEG4-GENERIC without a config", RtspTrackAssembler.WhyNotCarried(media));
    }

    [Fact]
    public void WhyNotCarried_Mpeg4GenericLowBitrateHeaders_SaysOnly13Plus3()
    {
        var media = new MediaDescription("audio", AudioPt, "MPEG4-GENERIC", 48000, 2, new Dictionary<string, string>
        {
            ["mode"] = "AAC-lbr",
            ["config"] = "1190",
            ["sizelength"] = "6",
            ["indexlength"] = "2",
        }, null);

        Assert.Contains("13+3", RtspTrackAssembler.WhyNotCarried(media), StringComparison.Ordinal);
    }

    [Fact]
    public void WhyNotCarried_LatmConfigInBand_SaysCpresent()
    {
        var media = new MediaDescription("audio", AudioPt, "MP4A-LATM", 48000, 2, new Dictionary<string, string> { ["cpresent"] = "1" }, null);

        Assert.Contains("cpresent=1", RtspTrackAssembler.WhyNotCarried(media), StringComparison.Ordinal);
    }

    [Fact]
    public void WhyNotCarried_UnknownEncoding_NamesIt()
    {
        var media = new MediaDescription("video", VideoPt, "VP8", 90000, 1, new Dictionary<string, string>(), null);

        var reason = RtspTrackAssembler.WhyNotCarried(media);

        Assert.NotNull(reason);
        Assert.StartsWith("VP8 is not carried", reason, StringComparison.Ordinal);
    }
}
