using System.Buffers;
using LiveRelay.Codecs.Aac;
using LiveRelay.Formats.Ts;

namespace LiveRelay.Formats.Tests.Ts;

public class TsMuxerAudioTests
{
    [Fact]
    public void WriteFrame_AacFrame_OneAdtsFramePerPesWithExactLength()
    {
        var raw = Pattern(371);
        var muxer = new TsMuxer(TsTestData.VideoTrack(), TsTestData.AudioTrack());
        var output = new ArrayBufferWriter<byte>();

        Assert.True(TsMuxerVideoTests.WriteFrame(muxer, output, TsTestData.AudioTrack(), raw, 183_000, 183_000, false));

        var pes = Assert.Single(TsTestDemuxer.Pes(output.WrittenSpan));
        Assert.Equal(TsMuxer.AudioPid, pes.Pid);
        Assert.Equal(0xC0, pes.Header.StreamId);
        Assert.Equal(3 + 5 + 7 + raw.Length, pes.Header.PacketLength);
        Assert.Equal(183_000, pes.Header.Pts);
        Assert.Null(pes.Header.Dts);
        Assert.True(Adts.TryParseHeader(pes.Data, out var adts));
        Assert.Equal(new AdtsHeader(2, 3, 48000, 2, 7 + raw.Length, 7), adts);
        Assert.Equal(raw, pes.Data[7..]);
    }

    [Fact]
    public void WriteFrame_AudioWithVideoInProgram_HasNoPcrOrRandomAccess()
    {
        var muxer = new TsMuxer(TsTestData.VideoTrack(), TsTestData.AudioTrack());
        var output = new ArrayBufferWriter<byte>();

        TsMuxerVideoTests.WriteFrame(muxer, output, TsTestData.AudioTrack(), Pattern(500), 0, 0, false);

        var pes = Assert.Single(TsTestDemuxer.Pes(output.WrittenSpan));
        Assert.All(pes.Packets, p => Assert.Null(p.Header.Pcr));
        Assert.Equal(0, pes.FirstPacket.AdaptationFieldLength);
        Assert.False(pes.FirstPacket.RandomAccess);
        Assert.Equal(3, pes.Packets.Count); // 14 + 7 + 500 = 521 bytes → 184 + 184 + 153 with stuffing
        Assert.Equal(184 - 153, pes.Packets[2].Header.AdaptationFieldLength);
    }

    [Fact]
    public void WriteFrame_AudioOnlyProgram_PcrOnAudioPid()
    {
        var muxer = new TsMuxer(null, TsTestData.AudioTrack());
        var output = new ArrayBufferWriter<byte>();

        TsMuxerVideoTests.WriteFrame(muxer, output, TsTestData.AudioTrack(), Pattern(300), 1920, 1920, false);
        TsMuxerVideoTests.WriteFrame(muxer, output, TsTestData.AudioTrack(), Pattern(300), 3840, 3840, false);

        var pes = TsTestDemuxer.Pes(output.WrittenSpan);
        Assert.Equal(2, pes.Count);
        Assert.Equal(1920L * 300, pes[0].FirstPacket.Pcr);
        Assert.Equal(3840L * 300, pes[1].FirstPacket.Pcr);
        Assert.True(pes[0].FirstPacket.RandomAccess);
        Assert.Equal(TsMuxer.AudioPid, muxer.PcrPid);
    }

    [Fact]
    public void WriteFrame_HeAacConfig_WritesLcAdtsAtCoreRate()
    {
        var heAac = TsTestData.AudioTrack(Convert.FromHexString("2b118800")); // SBR, core 24 kHz stereo
        var muxer = new TsMuxer(null, heAac);
        var output = new ArrayBufferWriter<byte>();

        Assert.True(TsMuxerVideoTests.WriteFrame(muxer, output, heAac, Pattern(200), 0, 0, false));

        var pes = Assert.Single(TsTestDemuxer.Pes(output.WrittenSpan));
        Assert.True(Adts.TryParseHeader(pes.Data, out var adts));
        Assert.Equal(2, adts.ObjectType);
        Assert.Equal(24000, adts.SampleRate);
    }

    [Fact]
    public void WriteFrame_AudioConfigAdtsCannotCarry_ReturnsFalse()
    {
        var eld = TsTestData.AudioTrack(AudioSpecificConfig.Build(39, 48000, 2));
        var muxer = new TsMuxer(null, eld);
        var output = new ArrayBufferWriter<byte>();

        Assert.False(TsMuxerVideoTests.WriteFrame(muxer, output, eld, Pattern(200), 0, 0, false));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void WriteFrame_UnparsableAudioConfig_ReturnsFalse()
    {
        var broken = TsTestData.AudioTrack([0x12]);
        var muxer = new TsMuxer(null, broken);
        var output = new ArrayBufferWriter<byte>();

        Assert.False(TsMuxerVideoTests.WriteFrame(muxer, output, broken, Pattern(200), 0, 0, false));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void WriteFrame_AudioFrameLongerThanAdtsAllows_ReturnsFalse()
    {
        var muxer = new TsMuxer(null, TsTestData.AudioTrack());
        var output = new ArrayBufferWriter<byte>();

        Assert.True(TsMuxerVideoTests.WriteFrame(muxer, output, TsTestData.AudioTrack(), Pattern(8184), 0, 0, false));
        var written = output.WrittenCount;
        Assert.False(TsMuxerVideoTests.WriteFrame(muxer, output, TsTestData.AudioTrack(), Pattern(8185), 0, 0, false));
        Assert.Equal(written, output.WrittenCount);
    }

    [Fact]
    public void WriteFrame_AudioFrameWithoutAudioStream_ReturnsFalse()
    {
        var muxer = new TsMuxer(TsTestData.VideoTrack(), null);
        var output = new ArrayBufferWriter<byte>();

        Assert.False(TsMuxerVideoTests.WriteFrame(muxer, output, TsTestData.AudioTrack(), Pattern(10), 0, 0, false));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void WriteFrame_AudioTrackChanges_UsesNewSampleRate()
    {
        var muxer = new TsMuxer(null, TsTestData.AudioTrack());
        var output = new ArrayBufferWriter<byte>();
        var mono44 = TsTestData.AudioTrack(AudioSpecificConfig.Build(2, 44100, 1));

        TsMuxerVideoTests.WriteFrame(muxer, output, TsTestData.AudioTrack(), Pattern(100), 0, 0, false);
        TsMuxerVideoTests.WriteFrame(muxer, output, mono44, Pattern(100), 1920, 1920, false);

        var pes = TsTestDemuxer.Pes(output.WrittenSpan);
        Assert.True(Adts.TryParseHeader(pes[0].Data, out var first));
        Assert.True(Adts.TryParseHeader(pes[1].Data, out var second));
        Assert.Equal((48000, 2), (first.SampleRate, first.Channels));
        Assert.Equal((44100, 1), (second.SampleRate, second.Channels));
    }

    [Fact]
    public void WriteFrame_InterleavedAudioAndVideo_CountersAreIndependentPerPid()
    {
        var muxer = new TsMuxer(TsTestData.VideoTrack(), TsTestData.AudioTrack());
        var output = new ArrayBufferWriter<byte>();
        muxer.WriteTables(output);
        for (var i = 0; i < 30; i++)
        {
            TsMuxerVideoTests.WriteFrame(muxer, output, TsTestData.VideoTrack(), TsTestData.Avcc(TsTestData.NonIdrSlice(400)), i * 3600, i * 3600, false);
            TsMuxerVideoTests.WriteFrame(muxer, output, TsTestData.AudioTrack(), Pattern(300), i * 3600, i * 3600, false);
        }

        var packets = TsTestDemuxer.Packets(output.WrittenSpan); // asserts per-PID +1 steps
        Assert.Equal(30, packets.Count(p => p.Header.Pid == TsMuxer.AudioPid && p.Header.PayloadUnitStart));
        Assert.Equal(30, packets.Count(p => p.Header.Pid == TsMuxer.VideoPid && p.Header.PayloadUnitStart));
        Assert.Equal(0, packets.First(p => p.Header.Pid == TsMuxer.AudioPid).Header.ContinuityCounter);
        Assert.Equal(0, packets.First(p => p.Header.Pid == TsMuxer.VideoPid).Header.ContinuityCounter);
    }

    private static byte[] Pattern(int length)
    {
        var data = new byte[length];
        for (var i = 0; i < length; i++)
        {
            data[i] = (byte)(i * 7 + 3);
        }

        return data;
    }
}
