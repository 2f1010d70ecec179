using LiveRelay.Formats.Sdp;

namespace LiveRelay.Protocols.Rtsp.Tests;

/// <summary>Two tracks (H.264 at 90 kHz, AAC at 48 kHz) of one session on one timeline.</summary>
public sealed class RtspSessionClockTests
{
    private const byte VideoPt = 96;
    private const byte AudioPt = 97;
    private const uint VideoStart = 3_000_000_000;
    private const uint AudioStart = 123_456;

    // An NTP time (seconds since 1900 in the high 32 bits, the fraction in the low 32).
    private const ulong Ntp = 3_900_000_000UL << 32;
    private const ulong HalfSecond = 0x8000_0000UL;

    private static readonly byte[] s_idr = Rtp.Nal([0x65, 0x88], 200, seed: 1);
    private static readonly byte[] s_slice = Rtp.Nal([0x41, 0x9A], 100, seed: 2);
    private static readonly byte[] s_au = [0x21, 0x10, 0x05, 0x00, 0xA0];

    private readonly RtspSessionClock _clock = new();
    private readonly FrameSink _video = new();
    private readonly FrameSink _audio = new();
    private readonly RtspTrackAssembler _videoTrack;
    private readonly RtspTrackAssembler _audioTrack;

    public RtspSessionClockTests()
    {
        var h264 = new MediaDescription("video", VideoPt, "H264", 90000, 1, new Dictionary<string, string>
        {
            ["packetization-mode"] = "1",
            ["sprop-parameter-sets"] = $"{Convert.ToBase64String(Vectors.Sps360Baseline)},{Convert.ToBase64String(Vectors.Pps360Baseline)}",
        }, "trackID=0");
        _videoTrack = new RtspTrackAssembler(h264, _video.OnFrame, _clock);
        _audioTrack = new RtspTrackAssembler(RtspTrackAssemblerTests.AacHbr(), _audio.OnFrame, _clock);
    }

    private void PushVideo(ushort sequence, uint timestamp, bool keyframe = false) =>
        _videoTrack.Push(Rtp.Packet(VideoPt, sequence, timestamp, true, keyframe ? s_idr : s_slice));

    private void PushAudio(ushort sequence, uint timestamp) =>
        _audioTrack.Push(Rtp.Packet(AudioPt, sequence, timestamp, true, Rtp.AacHbr(s_au)));

    /// <summary>Sender reports for both tracks, each saying its RTP clock read 1 s past its first packet at the given NTP time.</summary>
    private void ReportBoth(ulong videoNtp, ulong audioNtp)
    {
        _videoTrack.OnSenderReport(videoNtp, VideoStart + 90000);
        _audioTrack.OnSenderReport(audioNtp, AudioStart + 48000);
    }

    [Fact]
    public void SetStart_RtpInfoForEveryTrack_FirstFramesAtTheirOffsetFromStartAndSynchronized()
    {
        _videoTrack.SetStart(VideoStart);
        _audioTrack.SetStart(AudioStart);

        // Video's first packet 0.1 s after the start, audio's 0.2 s after it.
        PushVideo(1, VideoStart + 9000, keyframe: true);
        Assert.False(_clock.IsSynchronized);
        PushAudio(1, AudioStart + 9600);

        Assert.True(_clock.IsSynchronized);
        Assert.Equal(9000, Assert.Single(_video.Frames).Dts);
        Assert.Equal(18000, Assert.Single(_audio.Frames).Dts);
        Assert.Equal([0L, 0L], _clock.Shifts);
    }

    [Fact]
    public void SetStart_RtpTimestampsWrapAfterTheStart_OffsetStillFromStart()
    {
        _videoTrack.SetStart(0xFFFF_FF00);
        _audioTrack.SetStart(AudioStart);

        PushVideo(1, 0x0000_0100, keyframe: true);

        Assert.Equal(0x200, Assert.Single(_video.Frames).Dts);
    }

    [Fact]
    public void SetStart_StartMoreThan10sBeforeFirstPacket_FirstPacketIsZeroAndNotSynchronized()
    {
        _videoTrack.SetStart(VideoStart);
        _audioTrack.SetStart(AudioStart);

        PushVideo(1, VideoStart + (11 * 90000), keyframe: true);
        PushAudio(1, AudioStart + 4800);

        Assert.Equal(0, Assert.Single(_video.Frames).Dts);
        Assert.Equal(9000, Assert.Single(_audio.Frames).Dts);
        Assert.False(_clock.IsSynchronized);
    }

    [Fact]
    public void OnSenderReport_AudioOriginHalfSecondLater_AudioShifted45000()
    {
        PushVideo(1, VideoStart, keyframe: true);
        PushAudio(1, AudioStart);
        Assert.Equal(0, Assert.Single(_video.Frames).Dts);
        Assert.Equal(0, Assert.Single(_audio.Frames).Dts);
        Assert.False(_clock.IsSynchronized);

        ReportBoth(Ntp, Ntp + HalfSecond);

        Assert.True(_clock.IsSynchronized);
        Assert.Equal([0L, 45000L], _clock.Shifts);

        // One second on: 90000 ticks on each track's own clock, plus the audio's shift.
        PushVideo(2, VideoStart + 90000);
        PushAudio(2, AudioStart + 48000);
        Assert.Equal(90000, _video.Frames[1].Dts);
        Assert.Equal(90000 + 45000, _audio.Frames[1].Dts);
    }

    [Fact]
    public void OnSenderReport_OnlyOneTrackReported_NotSynchronized()
    {
        PushVideo(1, VideoStart, keyframe: true);
        PushAudio(1, AudioStart);

        _videoTrack.OnSenderReport(Ntp, VideoStart + 90000);

        Assert.False(_clock.IsSynchronized);
        Assert.Equal([0L, 0L], _clock.Shifts);
    }

    [Fact]
    public void OnSenderReport_ShiftLargerThan10s_NotApplied()
    {
        PushVideo(1, VideoStart, keyframe: true);
        PushAudio(1, AudioStart);

        ReportBoth(Ntp, Ntp + (20UL << 32));

        Assert.Equal([0L, 0L], _clock.Shifts);
        PushAudio(2, AudioStart + 48000);
        Assert.Equal(90000, _audio.Frames[1].Dts);
    }

    [Fact]
    public void OnSenderReport_NtpZero_Ignored()
    {
        PushVideo(1, VideoStart, keyframe: true);
        PushAudio(1, AudioStart);

        ReportBoth(Ntp, 0);

        Assert.False(_clock.IsSynchronized);
        Assert.Equal([0L, 0L], _clock.Shifts);

        // A real report afterwards still synchronizes: the zero one was not taken for the audio's.
        _audioTrack.OnSenderReport(Ntp + HalfSecond, AudioStart + 48000);
        Assert.True(_clock.IsSynchronized);
        Assert.Equal([0L, 45000L], _clock.Shifts);
    }

    [Fact]
    public void OnSenderReport_BeforeFirstPackets_SettlesWhenBothHaveStarted()
    {
        ReportBoth(Ntp, Ntp + HalfSecond);
        Assert.False(_clock.IsSynchronized);

        PushVideo(1, VideoStart, keyframe: true);
        PushAudio(1, AudioStart);

        Assert.True(_clock.IsSynchronized);
        Assert.Equal([0L, 45000L], _clock.Shifts);
        Assert.Equal(0, Assert.Single(_video.Frames).Dts);
        Assert.Equal(45000, Assert.Single(_audio.Frames).Dts);
    }
}
