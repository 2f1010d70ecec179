using System.Buffers;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Ts;
using static LiveRelay.Formats.Tests.Ts.TsDemuxerTestStream;

namespace LiveRelay.Formats.Tests.Ts;

public class TsDemuxerTests
{
    private const long Start = 900_000;
    private const long FrameTicks = 3600; // 25 fps

    [Fact]
    public void Push_MuxerOutput_RoundTripsPayloadsTimestampsAndKeyframes()
    {
        var (ts, expectedVideo, expectedAudio) = MuxProgram(videoFrames: 12, audioFrames: 20);

        var frames = DemuxAll(ts);

        var video = frames.Where(f => f.Codec == CodecId.H264).ToList();
        var audio = frames.Where(f => f.Codec == CodecId.Aac).ToList();
        Assert.Equal(expectedVideo.Select(f => f.ToString()), video.Select(f => f.ToString()));
        Assert.Equal(expectedAudio.Select(f => f.ToString()), audio.Select(f => f.ToString()));
        Assert.Equal([0L, 6], video.Select((f, i) => (f, i)).Where(x => x.f.Keyframe).Select(x => (long)x.i));

        var videoTrack = Assert.Single(video.Select(f => f.Track).Distinct());
        Assert.Equal(Convert.ToHexString(BaselineAvcC), Convert.ToHexString(videoTrack.CodecConfig.ToArray()));
        Assert.Equal((640, 360), (videoTrack.Width, videoTrack.Height));
        Assert.Equal("avc1.42c01e", videoTrack.CodecString);

        var audioTrack = Assert.Single(audio.Select(f => f.Track).Distinct());
        Assert.Equal(Asc44100Stereo, audioTrack.CodecConfig.ToArray());
        Assert.Equal((44100, 2), (audioTrack.SampleRate, audioTrack.Channels));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Push_InputInPieces_SameFramesAsOneChunk(int chunk)
    {
        var (ts, _, _) = MuxProgram(videoFrames: 8, audioFrames: 12);
        var whole = DemuxAll(ts).Select(f => f.ToString()).ToList();

        var pieces = DemuxAll(ts, chunk).Select(f => f.ToString()).ToList();

        Assert.Equal(8 + 12, whole.Count);
        Assert.Equal(whole, pieces);
    }

    [Fact]
    public void Push_PesOverManyPackets_ReassemblesWholeAccessUnit()
    {
        var output = Tables(audio: false);
        var muxer = new TsMuxer(Video(), null);
        var big = VideoKeyframe(60_000); // ~330 packets
        Write(muxer, output, Video(), big, Start, Start, true);
        Assert.True(output.WrittenCount / TsPacket.Length > 300);

        var (demuxer, frames) = Create();
        Feed(demuxer, output.WrittenSpan);

        var frame = Assert.Single(frames);
        Assert.Equal(big, frame.Payload);
        Assert.True(frame.Keyframe);
        Assert.Equal(0, demuxer.ContinuityErrors);
        Assert.Equal(output.WrittenCount / TsPacket.Length, demuxer.PacketsRead);
    }

    [Fact]
    public void Push_VideoPesWithoutLength_EmittedAtNextUnitStartOrFlush()
    {
        var output = Tables(audio: false);
        var muxer = new TsMuxer(Video(), null);
        Write(muxer, output, Video(), VideoKeyframe(500), Start, Start, true);
        var (demuxer, frames) = Create();

        demuxer.Push(output.WrittenSpan);
        Assert.Empty(frames);
        demuxer.Flush();

        Assert.Single(frames);
    }

    [Fact]
    public void Push_AdaptationFieldsWithPcrAndStuffing_PayloadExtracted()
    {
        var raw = RawAac(900, 3);
        var pes = AudioPes(raw, pts: 123_456);
        var counter = 0;
        var media = PacketizeWithAdaptation(TsMuxer.AudioPid, pes, fieldLength: 40, pcrBase: 120_000, ref counter);
        Assert.True(media.Count >= 6);
        var ts = Concat([PatPacket(), PmtPacket(0, 0, (TsStreamType.AacAdts, TsMuxer.AudioPid)), .. media]);

        var frames = DemuxAll(ts);

        var frame = Assert.Single(frames);
        Assert.Equal(raw, frame.Payload);
        Assert.Equal(123_456, frame.Pts);
    }

    [Fact]
    public void Push_PtsWrapsPast33Bits_TimelineStaysMonotonic()
    {
        var output = Tables(audio: false);
        var muxer = new TsMuxer(Video(), null);
        var start = TsPacket.TimestampModulus - 3 * FrameTicks;
        var expected = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            var dts = start + i * FrameTicks;
            expected.Add(dts);
            Write(muxer, output, Video(), i == 0 ? VideoKeyframe(300) : VideoDelta(200), dts, dts + FrameTicks, i == 0);
        }

        var frames = DemuxAll(output.WrittenSpan);

        Assert.Equal(expected, frames.Select(f => f.Dts));
        Assert.Equal(expected.Select(d => d + FrameTicks), frames.Select(f => f.Pts));
        Assert.True(frames[^1].Dts > TsPacket.TimestampModulus);
    }

    [Fact]
    public void Push_PmtVersionChangeAddsAudio_AudioFramesFollowTheChange()
    {
        var muxer = new TsMuxer(Video(), Audio());
        var beforeChange = new ArrayBufferWriter<byte>();
        Write(muxer, beforeChange, Video(), VideoKeyframe(400), Start, Start, true);
        Write(muxer, beforeChange, Audio(), RawAac(300, 1), Start, Start, false);
        var afterChange = new ArrayBufferWriter<byte>();
        Write(muxer, afterChange, Video(), VideoDelta(400), Start + FrameTicks, Start + FrameTicks, false);
        Write(muxer, afterChange, Audio(), RawAac(310, 2), Start + 2048, Start + 2048, false);
        var ts = Concat([
            PatPacket(),
            PmtPacket(0, 0, (TsStreamType.H264, TsMuxer.VideoPid)),
            beforeChange.WrittenSpan.ToArray(),
            PmtPacket(1, 1, (TsStreamType.H264, TsMuxer.VideoPid), (TsStreamType.AacAdts, TsMuxer.AudioPid)),
            afterChange.WrittenSpan.ToArray(),
        ]);
        var (demuxer, frames) = Create();

        Feed(demuxer, ts);

        var audio = Assert.Single(frames, f => f.Codec == CodecId.Aac);
        Assert.Equal(RawAac(310, 2), audio.Payload);
        Assert.Equal(Start + 2048, audio.Pts);
        Assert.Equal(2, frames.Count(f => f.Codec == CodecId.H264));
        Assert.True(demuxer.HasProgram);
    }

    [Fact]
    public void Push_UnsupportedStreamTypes_ReportedOncePerPid()
    {
        var reports = new List<(int, int)>();
        var (demuxer, _) = Create();
        demuxer.UnsupportedStream += (pid, type) => reports.Add((pid, type));
        var ts = Concat([
            PatPacket(),
            PmtPacket(0, 0, (TsStreamType.H264, TsMuxer.VideoPid), (0x02, 0x102)),
            PmtPacket(1, 1, (TsStreamType.H264, TsMuxer.VideoPid), (0x02, 0x102), (0x06, 0x103)),
        ]);

        Feed(demuxer, ts);

        Assert.Equal([(0x102, 0x02), (0x103, 0x06)], reports);
    }

    [Fact]
    public void Push_ContinuityGap_DropsThatPesAndCountsIt()
    {
        var output = new ArrayBufferWriter<byte>();
        var muxer = new TsMuxer(Video(), null);
        muxer.WriteTables(output);
        var boundaries = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            boundaries.Add(output.WrittenCount / TsPacket.Length);
            Write(muxer, output, Video(), i == 0 ? VideoKeyframe(500) : VideoDelta(900 + i), Start + i * FrameTicks, Start + i * FrameTicks, i == 0);
        }

        var packets = Packets(output.WrittenSpan);
        packets.RemoveAt(boundaries[2] + 2); // a middle packet of the third access unit
        var (demuxer, frames) = Create();

        Feed(demuxer, Concat(packets));

        Assert.Equal([Start, Start + FrameTicks, Start + 3 * FrameTicks], frames.Select(f => f.Dts));
        Assert.Equal(1, demuxer.ContinuityErrors);
        Assert.Equal(1, demuxer.DroppedPes);
    }

    [Fact]
    public void Push_GarbageBeforeFirstSyncByte_SkippedAndFramesUnchanged()
    {
        var (ts, _, _) = MuxProgram(videoFrames: 4, audioFrames: 4);
        var garbage = new byte[333];
        for (var i = 0; i < garbage.Length; i++)
        {
            garbage[i] = (byte)(i % 0x40); // never 0x47
        }

        garbage[100] = TsPacket.SyncByte; // a lone 0x47 with no packet 188 bytes later
        var (demuxer, frames) = Create();

        Feed(demuxer, Concat([garbage, ts]), chunk: 50);

        Assert.Equal(DemuxAll(ts).Select(f => f.ToString()), frames.Select(f => f.ToString()));
        Assert.Equal(garbage.Length, demuxer.BytesSkipped);
        Assert.Equal(ts.Length / TsPacket.Length, demuxer.PacketsRead);
    }

    [Fact]
    public void Push_GarbageBetweenPackets_ResyncsWithoutLosingFrames()
    {
        var (ts, _, _) = MuxProgram(videoFrames: 6, audioFrames: 6);
        var packets = Packets(ts);
        var garbage = Enumerable.Range(0, 50).Select(i => (byte)(i == 20 ? 0x47 : 0xA5)).ToArray();
        packets.Insert(packets.Count / 2, garbage);
        var (demuxer, frames) = Create();

        Feed(demuxer, Concat(packets), chunk: 7);

        Assert.Equal(DemuxAll(ts).Select(f => f.ToString()), frames.Select(f => f.ToString()));
        Assert.Equal(garbage.Length, demuxer.BytesSkipped);
        Assert.Equal(0, demuxer.ContinuityErrors);
    }

    [Fact]
    public void Push_NoPmt_ProducesNoFrames()
    {
        var muxer = new TsMuxer(Video(), Audio());
        var output = new ArrayBufferWriter<byte>();
        Write(muxer, output, Video(), VideoKeyframe(500), Start, Start, true);
        Write(muxer, output, Audio(), RawAac(200, 1), Start, Start, false);
        output.Write(PatPacket());
        var (demuxer, frames) = Create();

        Feed(demuxer, output.WrittenSpan);

        Assert.Empty(frames);
        Assert.False(demuxer.HasProgram);
        Assert.Equal(output.WrittenCount / TsPacket.Length, demuxer.PacketsRead);
    }

    [Fact]
    public void Push_PmtWithBadCrc_Ignored()
    {
        var pmt = PmtPacket(0, 0, (TsStreamType.AacAdts, TsMuxer.AudioPid));
        pmt[10] ^= 0x01;
        var (demuxer, frames) = Create();

        Feed(demuxer, Concat([PatPacket(), pmt]));

        Assert.False(demuxer.HasProgram);
        Assert.Empty(frames);
    }

    [Fact]
    public void Push_PesOverBound_DroppedAndCounted()
    {
        var output = Tables(audio: false);
        var muxer = new TsMuxer(Video(), null);
        Write(muxer, output, Video(), VideoKeyframe(500), Start, Start, true);
        Write(muxer, output, Video(), VideoDelta(20_000), Start + FrameTicks, Start + FrameTicks, false);
        Write(muxer, output, Video(), VideoDelta(600), Start + 2 * FrameTicks, Start + 2 * FrameTicks, false);
        var (demuxer, frames) = Create(maxPesLength: 10_000);

        Feed(demuxer, output.WrittenSpan);

        Assert.Equal([Start, Start + 2 * FrameTicks], frames.Select(f => f.Dts));
        Assert.Equal(1, demuxer.DroppedPes);
    }

    [Fact]
    public void Push_SeveralAdtsFramesInOnePes_PtsAdvancesBy1024Samples()
    {
        var raws = new[] { RawAac(200, 1), RawAac(210, 2), RawAac(220, 3) };
        var pes = AudioPes(Concat(raws.Select(r => Adts(r)).ToArray()), pts: 90_000);
        var counter = 0;
        var ts = Concat([PatPacket(), PmtPacket(0, 0, (TsStreamType.AacAdts, TsMuxer.AudioPid)), .. PacketizeWithAdaptation(TsMuxer.AudioPid, pes, 7, 90_000, ref counter)]);

        var frames = DemuxAll(ts);

        Assert.Equal(raws.Select(Convert.ToHexString), frames.Select(f => Convert.ToHexString(f.Payload)));
        Assert.Equal([90_000L, 90_000 + 2089, 90_000 + 4179], frames.Select(f => f.Pts)); // 1024 × 90000 / 44100 = 2089.8
    }

    private static ArrayBufferWriter<byte> Tables(bool audio)
    {
        var output = new ArrayBufferWriter<byte>();
        new TsMuxer(Video(), audio ? Audio() : null).WriteTables(output);
        return output;
    }

    private static (byte[] Ts, List<Demuxed> Video, List<Demuxed> Audio) MuxProgram(int videoFrames, int audioFrames)
    {
        var video = Video();
        var audio = Audio();
        var muxer = new TsMuxer(video, audio);
        var output = new ArrayBufferWriter<byte>();
        muxer.WriteTables(output);
        var expectedVideo = new List<Demuxed>();
        var expectedAudio = new List<Demuxed>();
        var a = 0;
        for (var v = 0; v < videoFrames; v++)
        {
            var dts = Start + v * FrameTicks;
            var keyframe = v % 6 == 0;
            var payload = keyframe ? VideoKeyframe(2000 + v * 50) : VideoDelta(300 + v * 411);
            var pts = dts + (v % 3) * FrameTicks; // B-frame style composition offsets
            Write(muxer, output, video, payload, dts, pts, keyframe);
            expectedVideo.Add(new Demuxed(video, CodecId.H264, dts, pts, keyframe, payload));
            while (a < audioFrames * (v + 1) / videoFrames)
            {
                var audioPts = Start + a * 1024L * 90_000 / 44_100;
                var raw = RawAac(180 + a * 13 % 200, a);
                Write(muxer, output, audio, raw, audioPts, audioPts, false);
                expectedAudio.Add(new Demuxed(audio, CodecId.Aac, audioPts, audioPts, false, raw));
                a++;
            }
        }

        return (output.WrittenSpan.ToArray(), expectedVideo, expectedAudio);
    }

    //  PES header with PTS only, PES_packet_length set: 00 00 01 C0 | length 16 | 0x80 0x80 0x05 | PTS 40
    private static byte[] AudioPes(byte[] payload, long pts)
    {
        if (!payload.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF]))
        {
            payload = Adts(payload);
        }

        var pes = new byte[14 + payload.Length];
        var length = 8 + payload.Length;
        byte[] header = [0, 0, 1, 0xC0, (byte)(length >> 8), (byte)length, 0x80, 0x80, 0x05];
        header.CopyTo(pes, 0);
        pes[9] = (byte)(0x21 | (int)(pts >> 29) & 0x0E);
        pes[10] = (byte)(pts >> 22);
        pes[11] = (byte)((pts >> 14) | 1);
        pes[12] = (byte)(pts >> 7);
        pes[13] = (byte)((pts << 1) | 1);
        payload.CopyTo(pes, 14);
        return pes;
    }

    private static byte[] Adts(byte[] raw)
    {
        var frame = new byte[7 + raw.Length];
        Assert.True(Codecs.Aac.AudioSpecificConfig.TryParse(Asc44100Stereo, out var config));
        Codecs.Aac.Adts.WriteHeader(frame, config, raw.Length);
        raw.CopyTo(frame, 7);
        return frame;
    }

    private static byte[] Concat(IEnumerable<byte[]> parts) => parts.SelectMany(p => p).ToArray();
}
