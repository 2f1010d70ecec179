using LiveRelay.Core.Media;
using static LiveRelay.Formats.Tests.Ts.TsDemuxerTestStream;

namespace LiveRelay.Formats.Tests.Ts;

public sealed class TsDemuxerFfmpegTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("liverelay-demux-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Push_FfmpegTwoSecondH264AacTs_FiftyFramesTwoKeyframesAndAac()
    {
        var path = Path.Combine(_directory, "out.ts");
        FfmpegTool.RunChecked("ffmpeg", "-hide_banner", "-loglevel", "error",
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
            "-t", "2", "-c:v", "libx264", "-g", "25", "-c:a", "aac", "-f", "mpegts", path);
        var ts = File.ReadAllBytes(path);
        var (demuxer, frames) = Create();

        Feed(demuxer, ts, chunk: 1316); // seven packets, as SRT delivers them

        var video = frames.Where(f => f.Codec == CodecId.H264).ToList();
        var audio = frames.Where(f => f.Codec == CodecId.Aac).ToList();
        Assert.Equal(50, video.Count);
        Assert.Equal(2, video.Count(f => f.Keyframe));
        Assert.True(video[0].Keyframe);
        Assert.InRange(audio.Count, 84, 88);
        var track = Assert.Single(video.Select(f => f.Track).Distinct());
        Assert.Equal((320, 240), (track.Width, track.Height));
        Assert.Equal(44100, audio[0].Track.SampleRate);
        Assert.All(video.Zip(video.Skip(1)), p => Assert.True(p.Second.Dts > p.First.Dts));
        Assert.All(audio.Zip(audio.Skip(1)), p => Assert.True(p.Second.Pts > p.First.Pts));
        Assert.Equal(0, demuxer.ContinuityErrors);
        Assert.Equal(0, demuxer.DroppedPes);
        Assert.Equal(ts.Length / 188, demuxer.PacketsRead);
    }
}
