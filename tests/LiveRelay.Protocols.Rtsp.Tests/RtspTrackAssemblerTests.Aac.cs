using LiveRelay.Core.Media;
using LiveRelay.Formats.Sdp;

namespace LiveRelay.Protocols.Rtsp.Tests;

/// <summary>AAC as MPEG4-GENERIC (RFC 3640) and MP4A-LATM (RFC 6416) from hand-built RTP packets.</summary>
public sealed partial class RtspTrackAssemblerTests
{
    private static readonly byte[] s_au1 = [0x21, 0x10, 0x05, 0x00, 0xA0];
    private static readonly byte[] s_au2 = [0x21, 0x1B, 0x94, 0x02, 0x00, 0x40, 0x07];

    // AudioSpecificConfig 0x1190: AAC LC (2), 48 kHz (index 3), 2 channels.
    internal static MediaDescription AacHbr(string config = "1190", int clockRate = 48000) =>
        new("audio", AudioPt, "MPEG4-GENERIC", clockRate, 2, new Dictionary<string, string>
        {
            ["streamtype"] = "5",
            ["profile-level-id"] = "1",
            ["mode"] = "AAC-hbr",
            ["config"] = config,
            ["sizelength"] = "13",
            ["indexlength"] = "3",
            ["indexdeltalength"] = "3",
        }, "trackID=1");

    private static MediaDescription Latm(string config, int clockRate, int channels) =>
        new("audio", AudioPt, "MP4A-LATM", clockRate, channels, new Dictionary<string, string>
        {
            ["profile-level-id"] = "1",
            ["cpresent"] = "0",
            ["config"] = config,
        }, "trackID=1");

    [Fact]
    public void Push_Mpeg4GenericTwoAus_TwoFrames1024SamplesApart()
    {
        var sink = new FrameSink();
        var assembler = new RtspTrackAssembler(AacHbr(), sink.OnFrame);
        Assert.Null(RtspTrackAssembler.WhyNotCarried(AacHbr()));

        assembler.Push(Rtp.Packet(AudioPt, 1, 1000, true, Rtp.AacHbr(s_au1, s_au2)));
        assembler.Push(Rtp.Packet(AudioPt, 2, 1000 + 2048, true, Rtp.AacHbr(s_au1)));

        // 1024 samples at 48 kHz are 1920 ticks at 90 kHz; the second packet is 2048 samples (3840 ticks) on.
        Assert.Equal([0L, 1920L, 3840L], sink.Frames.Select(f => f.Dts));
        Assert.Equal([0L, 1920L, 3840L], sink.Frames.Select(f => f.Pts));
        Assert.Equal(s_au1, sink.Frames[0].Payload);
        Assert.Equal(s_au2, sink.Frames[1].Payload);
        Assert.Equal(s_au1, sink.Frames[2].Payload);
        Assert.All(sink.Frames, f => Assert.False(f.IsKeyframe));
        var track = sink.Frames[0].Track;
        Assert.Equal((CodecId.Aac, MediaKind.Audio, 48000, 2), (track.Codec, track.Kind, track.SampleRate, track.Channels));
        Assert.Equal([0x11, 0x90], track.CodecConfig.ToArray());
        Assert.Equal("mp4a.40.2", track.CodecString);
    }

    [Fact]
    public void Push_Mpeg4GenericAuLongerThanPayload_NoFrame()
    {
        var sink = new FrameSink();
        var assembler = new RtspTrackAssembler(AacHbr(), sink.OnFrame);
        var payload = Rtp.AacHbr(s_au2);

        assembler.Push(Rtp.Packet(AudioPt, 1, 0, true, payload.AsSpan(0, payload.Length - 1)));

        Assert.Empty(sink.Frames);
    }

    [Fact]
    public void Push_Mp4aLatm_OneFramePerPayloadLengthInfo()
    {
        // StreamMuxConfig 400023203fc0: one program, one layer, AAC LC 48 kHz stereo, frameLengthType 0.
        var media = Latm("400023203fc0", 48000, 2);
        var sink = new FrameSink();
        var assembler = new RtspTrackAssembler(media, sink.OnFrame);
        Assert.Null(RtspTrackAssembler.WhyNotCarried(media));
        Assert.Equal([0x11, 0x90], assembler.Track?.CodecConfig.ToArray());

        assembler.Push(Rtp.Packet(AudioPt, 1, 7000, true, [0x05, .. s_au1]));
        assembler.Push(Rtp.Packet(AudioPt, 2, 7000 + 1024, true, [0x07, .. s_au2]));

        Assert.Equal(2, sink.Frames.Count);
        Assert.Equal(s_au1, sink.Frames[0].Payload);
        Assert.Equal(s_au2, sink.Frames[1].Payload);
        Assert.Equal([0L, 1920L], sink.Frames.Select(f => f.Dts));
        Assert.Equal((48000, 2), (sink.Frames[0].Track.SampleRate, sink.Frames[0].Track.Channels));
    }

    [Fact]
    public void Push_GStreamerLatmConfigWithWholeAsc_Accepted44100Mono()
    {
        // gst rtpmp4apay: the encoder's whole AudioSpecificConfig (AAC LC 44.1 kHz mono + SBR sync extension), no frame length type.
        var media = Latm("40002410adca00", 44100, 1);
        var sink = new FrameSink();

        Assert.Null(RtspTrackAssembler.WhyNotCarried(media));
        var assembler = new RtspTrackAssembler(media, sink.OnFrame);
        assembler.Push(Rtp.Packet(AudioPt, 1, 0, true, [0x05, .. s_au1]));

        var track = assembler.Track;
        Assert.NotNull(track);
        Assert.Equal((CodecId.Aac, 44100, 1), (track.Codec, track.SampleRate, track.Channels));
        Assert.Equal([0x12, 0x08], track.CodecConfig.ToArray());
        Assert.Equal(s_au1, Assert.Single(sink.Frames).Payload);
    }
}

// G.711 (PCMA/PCMU) is carried as is, one frame per RTP packet.
public sealed partial class RtspTrackAssemblerTests
{
    [Theory]
    [InlineData("PCMA", CodecId.G711A)]
    [InlineData("PCMU", CodecId.G711U)]
    public void Push_G711_OneFramePerPacketAt8kHz(string encoding, CodecId codec)
    {
        var media = new MediaDescription("audio", encoding == "PCMA" ? 8 : 0, encoding, 8000, 1, new Dictionary<string, string>(), "trackID=1");
        var sink = new FrameSink();
        var assembler = new RtspTrackAssembler(media, sink.OnFrame);
        byte[] samples = [.. Enumerable.Range(0, 160).Select(i => (byte)i)];

        Assert.Null(RtspTrackAssembler.WhyNotCarried(media));
        Assert.Equal(codec, assembler.Track!.Codec);
        assembler.Push(Rtp.Packet((byte)media.PayloadType, 7, 16000, false, samples));
        assembler.Push(Rtp.Packet((byte)media.PayloadType, 8, 16160, false, samples));
        assembler.Push(Rtp.Packet((byte)media.PayloadType, 9, 16320, false, []));

        // 160 samples at 8 kHz are 20 ms, 1800 ticks at 90 kHz; an empty payload gives no frame.
        Assert.Equal([0L, 1800L], sink.Frames.Select(f => f.Dts));
        Assert.Equal(samples, sink.Frames[1].Payload);
        Assert.Equal((MediaKind.Audio, 8000, 1), (sink.Frames[0].Track.Kind, sink.Frames[0].Track.SampleRate, sink.Frames[0].Track.Channels));
    }
}

// Opus (RFC 7587) as a WebRTC publisher sends it: one packet per frame, through the reorder buffer.
public sealed partial class RtspTrackAssemblerTests
{
    [Fact]
    public void Push_OpusReorderedAndLost_FramesInOrderAtTheirTimes_TheLostOneMissing()
    {
        var media = new MediaDescription("audio", 111, "opus", 48000, 2, new Dictionary<string, string>(), null);
        var sink = new FrameSink();
        var assembler = new RtspTrackAssembler(media, sink.OnFrame);
        using var reorder = new LiveRelay.Formats.Rtp.RtpReorderBuffer(holdTicks: 100);
        byte[][] packets = [.. Enumerable.Range(0, 5).Select(i => Rtp.Packet(111, (ushort)(65534 + i), (uint)(960 * i), false, [(byte)(0xF0 + i), 0x01]))];

        // Sent 0 1 2 3 4; 2 is lost and 4 arrives before 3.
        long now = 0;
        foreach (var index in new[] { 0, 1, 4, 3 })
        {
            reorder.Push(packets[index], now);
            while (reorder.TryPop(now, out var ordered))
            {
                assembler.Push(ordered);
            }

            now += 10;
        }

        now += 1000;
        reorder.Push(Rtp.Packet(111, 3, 960 * 5, false, [0xF5, 0x01]), now);
        while (reorder.TryPop(now, out var late))
        {
            assembler.Push(late);
        }

        // 960 samples at 48 kHz are 20 ms: 1800 ticks at 90 kHz; the sequence wrapped from 65535 to 0.
        Assert.Null(RtspTrackAssembler.WhyNotCarried(media));
        Assert.Equal([0L, 1800L, 5400L, 7200L, 9000L], sink.Frames.Select(f => f.Dts));
        Assert.Equal([0xF0, 0xF1, 0xF3, 0xF4, 0xF5], sink.Frames.Select(f => f.Payload[0]));
        Assert.Equal(CodecId.Opus, sink.Frames[0].Track.Codec);
        Assert.Equal(1, reorder.Lost);
    }
}
