using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using LiveRelay.Codecs.H265;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Ts;
using static LiveRelay.Formats.Tests.Ts.TsDemuxerTestStream;

namespace LiveRelay.Formats.Tests.Ts;

/// <summary>
/// HEVC in MPEG-TS against ffmpeg: libx265 + AAC made at test time, read by our demuxer, written back
/// by our muxer and decoded by ffmpeg.
/// </summary>
public sealed class TsHevcFfmpegTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("liverelay-hevc-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Push_FfmpegTwoSecondHevcAacTs_FiftyFramesTwoKeyframesAndFfmpegsHvcC()
    {
        var ts = GenerateHevcTs();
        var (demuxer, frames) = Create();

        Feed(demuxer, File.ReadAllBytes(ts), chunk: 1316); // seven packets, as SRT delivers them

        var video = frames.Where(f => f.Codec == CodecId.H265).ToList();
        var audio = frames.Where(f => f.Codec == CodecId.Aac).ToList();
        Assert.Equal(50, video.Count);
        Assert.Equal([0, 25], video.Select((f, i) => (f, i)).Where(x => x.f.Keyframe).Select(x => x.i));
        Assert.InRange(audio.Count, 84, 88);
        Assert.Contains(video, f => f.Pts != f.Dts); // x265 B-frames
        Assert.All(video.Zip(video.Skip(1)), p => Assert.True(p.Second.Dts > p.First.Dts));
        Assert.Equal(0, demuxer.FramesBeforeConfig);
        Assert.Equal(0, demuxer.ContinuityErrors);
        Assert.Equal(0, demuxer.DroppedPes);

        var track = Assert.Single(video.Select(f => f.Track).Distinct());
        Assert.Equal((320, 240), (track.Width, track.Height));
        Assert.Equal("hvc1.1.6.L60.90", track.CodecString);

        // ffmpeg's own hvcC for this stream (remuxed to MP4 as hvc1) is byte for byte the record we built.
        var mp4 = Path.Combine(_directory, "copy.mp4");
        FfmpegTool.RunChecked("ffmpeg", "-v", "error", "-y", "-i", ts, "-map", "0:v", "-c", "copy", "-tag:v", "hvc1", mp4);
        Assert.Equal(Convert.ToHexString(FindBox(File.ReadAllBytes(mp4), "hvcC")), Convert.ToHexString(track.CodecConfig.ToArray()));
    }

    [Fact]
    public void WriteFrame_DemuxedFfmpegHevcWithParameterSetsStripped_FfmpegDecodesEveryFrameFromOurTs()
    {
        // As after RTMP ingest: frames hold slices and SEI only, the parameter sets live in the track's
        // hvcC, and the muxer must put them back in front of every IRAP access unit.
        var (demuxer, frames) = Create();
        Feed(demuxer, File.ReadAllBytes(GenerateHevcTs()));
        Assert.Equal(0, demuxer.DroppedPes);
        var video = frames.Where(f => f.Codec == CodecId.H265).ToList();
        var audio = frames.Where(f => f.Codec == CodecId.Aac).ToList();
        var track = video[0].Track;

        var output = new ArrayBufferWriter<byte>();
        var muxer = new TsMuxer(track, audio[0].Track);
        foreach (var frame in video.Concat(audio).OrderBy(f => f.Dts))
        {
            if (frame.Codec == CodecId.H265 && frame.Keyframe)
            {
                muxer.WriteTables(output);
            }

            var payload = frame.Codec == CodecId.H265 ? WithoutParameterSets(frame.Payload) : frame.Payload;
            Assert.True(TsMuxerVideoTests.WriteFrame(muxer, output, frame.Track, payload, frame.Dts, frame.Pts, frame.Keyframe));
        }

        var ts = Path.Combine(_directory, "ours.ts");
        File.WriteAllBytes(ts, output.WrittenSpan.ToArray());

        using var probe = JsonDocument.Parse(FfmpegTool.RunChecked("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,profile,width,height,id,nb_read_frames", "-of", "json", ts));
        var stream = probe.RootElement.GetProperty("streams")[0];
        Assert.Equal("hevc", stream.GetProperty("codec_name").GetString());
        Assert.Equal("Main", stream.GetProperty("profile").GetString());
        Assert.Equal((320, 240), (stream.GetProperty("width").GetInt32(), stream.GetProperty("height").GetInt32()));
        Assert.Equal("0x100", stream.GetProperty("id").GetString());
        Assert.Equal("50", stream.GetProperty("nb_read_frames").GetString());
        var (exitCode, _, stderr) = FfmpegTool.Run("ffmpeg", "-v", "warning", "-i", ts, "-f", "null", "-");
        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr.Trim());

        // And our demuxer reads our muxer's output back to the same access units, parameter sets re-inserted on keyframes.
        var again = DemuxAll(output.WrittenSpan).Where(f => f.Codec == CodecId.H265).ToList();
        Assert.Equal(video.Select(f => (f.Dts, f.Pts, f.Keyframe, Convert.ToHexString(f.Payload))),
            again.Select(f => (f.Dts, f.Pts, f.Keyframe, Convert.ToHexString(f.Payload))));
    }

    private string GenerateHevcTs()
    {
        var path = Path.Combine(_directory, "x265.ts");
        FfmpegTool.RunChecked("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine",
            "-t", "2", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:keyint=25:min-keyint=25:scenecut=0:bframes=2",
            "-c:a", "aac", "-f", "mpegts", path);
        return path;
    }

    private static byte[] WithoutParameterSets(byte[] hvcc)
    {
        var result = new List<byte>();
        var remaining = hvcc.AsSpan();
        while (!remaining.IsEmpty)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(remaining);
            var type = H265Nal.GetNalType(remaining[4]);
            if (type is not (H265NalType.Vps or H265NalType.Sps or H265NalType.Pps))
            {
                result.AddRange(remaining[..(4 + length)]);
            }

            remaining = remaining[(4 + length)..];
        }

        return [.. result];
    }

    // ISO BMFF: size 32 | type 32 | body. hvcC sits deep in moov, so search for its type and trust the size before it.
    private static byte[] FindBox(byte[] file, string type)
    {
        var index = file.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(type));
        Assert.True(index >= 4, $"no {type} box");
        var size = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(index - 4));
        return file.AsSpan(index + 4, size - 8).ToArray();
    }
}
