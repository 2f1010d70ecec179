using System.Buffers;
using System.Text.Json;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Ts;

namespace LiveRelay.Formats.Tests.Ts;

/// <summary>
/// Muxes real libx264/AAC frames (made by ffmpeg at test time, taken from an MP4 so they are
/// length-prefixed with their avcC/AudioSpecificConfig) and has ffprobe and ffmpeg read the result.
/// </summary>
public sealed class TsMuxerFfprobeTests : IDisposable
{
    private const long Offset = 10 * MediaClock.Hz; // keeps the B-frame pre-roll DTS positive

    private readonly string _directory = Directory.CreateTempSubdirectory("liverelay-ts-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void WriteFrame_RealH264AndAac_FfprobeReadsEveryPacketWithOurTimestamps()
    {
        var source = Path.Combine(_directory, "source.mp4");
        FfmpegTool.RunChecked("ffmpeg", "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
            "-f", "lavfi", "-i", "sine=r=48000:f=440",
            "-t", "1.2", "-c:v", "libx264", "-g", "10", "-bf", "2", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-ac", "2", "-video_track_timescale", "90000", source);
        var (video, audio, frames) = ReadSource(source);
        Assert.Contains(frames, f => f.Kind == MediaKind.Video && f.Pts != f.Dts); // B-frames: PTS and DTS both written

        var ts = Path.Combine(_directory, "out.ts");
        var output = new ArrayBufferWriter<byte>();
        var muxer = new TsMuxer(video, audio);
        foreach (var frame in frames.OrderBy(f => f.Dts))
        {
            if (frame.Kind == MediaKind.Video && frame.Keyframe)
            {
                muxer.WriteTables(output); // as an HLS segmenter does at each segment start
            }

            var mediaFrame = MediaFrame.Copy(frame.Kind == MediaKind.Video ? video : audio, frame.Payload, frame.Dts, frame.Pts, frame.Keyframe);
            Assert.True(muxer.WriteFrame(mediaFrame, output));
            mediaFrame.Release();
        }

        File.WriteAllBytes(ts, output.WrittenSpan.ToArray());

        using var probe = JsonDocument.Parse(FfmpegTool.RunChecked("ffprobe", "-v", "error", "-show_streams", "-show_packets", "-of", "json", ts));
        var streams = probe.RootElement.GetProperty("streams").EnumerateArray().ToList();
        Assert.Equal(2, streams.Count);
        var videoStream = streams.Single(s => s.GetProperty("codec_type").GetString() == "video");
        var audioStream = streams.Single(s => s.GetProperty("codec_type").GetString() == "audio");
        Assert.Equal("h264", videoStream.GetProperty("codec_name").GetString());
        Assert.Equal("High", videoStream.GetProperty("profile").GetString());
        Assert.Equal(320, videoStream.GetProperty("width").GetInt32());
        Assert.Equal(240, videoStream.GetProperty("height").GetInt32());
        Assert.Equal("0x100", videoStream.GetProperty("id").GetString());
        Assert.Equal("aac", audioStream.GetProperty("codec_name").GetString());
        Assert.Equal("LC", audioStream.GetProperty("profile").GetString());
        Assert.Equal("48000", audioStream.GetProperty("sample_rate").GetString());
        Assert.Equal(2, audioStream.GetProperty("channels").GetInt32());
        Assert.Equal("0x101", audioStream.GetProperty("id").GetString());

        var packets = probe.RootElement.GetProperty("packets").EnumerateArray().ToList();
        AssertSameTimeline(frames.Where(f => f.Kind == MediaKind.Video).OrderBy(f => f.Dts).ToList(), packets, "video");
        AssertSameTimeline(frames.Where(f => f.Kind == MediaKind.Audio).OrderBy(f => f.Dts).ToList(), packets, "audio");

        // Every picture decodes, without so much as a warning (continuity, PES sizes, timestamps).
        using var decoded = JsonDocument.Parse(FfmpegTool.RunChecked("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=nb_read_frames", "-of", "json", ts));
        var readFrames = decoded.RootElement.GetProperty("streams")[0].GetProperty("nb_read_frames").GetString();
        Assert.Equal(frames.Count(f => f.Kind == MediaKind.Video).ToString(), readFrames);
        var (exitCode, _, stderr) = FfmpegTool.Run("ffmpeg", "-v", "warning", "-i", ts, "-f", "null", "-");
        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr.Trim());
    }

    private static void AssertSameTimeline(List<SourceFrame> expected, List<JsonElement> packets, string type)
    {
        var actual = packets.Where(p => p.GetProperty("codec_type").GetString() == type).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Pts, actual[i].GetProperty("pts").GetInt64());
            Assert.Equal(expected[i].Dts, actual[i].GetProperty("dts").GetInt64());
            if (type == "video")
            {
                Assert.Equal(expected[i].Keyframe, actual[i].GetProperty("flags").GetString()!.Contains('K'));
            }
        }
    }

    private sealed record SourceFrame(MediaKind Kind, byte[] Payload, long Dts, long Pts, bool Keyframe);

    private static (TrackInfo Video, TrackInfo Audio, List<SourceFrame> Frames) ReadSource(string path)
    {
        using var probe = JsonDocument.Parse(FfmpegTool.RunChecked("ffprobe", "-v", "error", "-show_streams", "-show_packets", "-show_data", "-of", "json", path));
        TrackInfo? video = null, audio = null;
        var timeBases = new Dictionary<int, (long Num, long Den)>();
        foreach (var stream in probe.RootElement.GetProperty("streams").EnumerateArray())
        {
            var index = stream.GetProperty("index").GetInt32();
            var timeBase = stream.GetProperty("time_base").GetString()!.Split('/');
            timeBases[index] = (long.Parse(timeBase[0]), long.Parse(timeBase[1]));
            var config = FromHexDump(stream.GetProperty("extradata").GetString()!);
            if (stream.GetProperty("codec_type").GetString() == "video")
            {
                video = new TrackInfo { Kind = MediaKind.Video, Codec = CodecId.H264, CodecConfig = config, Width = 320, Height = 240 };
            }
            else
            {
                audio = new TrackInfo { Kind = MediaKind.Audio, Codec = CodecId.Aac, CodecConfig = config, SampleRate = 48000, Channels = 2 };
            }
        }

        var frames = new List<SourceFrame>();
        foreach (var packet in probe.RootElement.GetProperty("packets").EnumerateArray())
        {
            var (num, den) = timeBases[packet.GetProperty("stream_index").GetInt32()];
            long To90k(string name) => packet.GetProperty(name).GetInt64() * MediaClock.Hz * num / den + Offset;
            var kind = packet.GetProperty("codec_type").GetString() == "video" ? MediaKind.Video : MediaKind.Audio;
            frames.Add(new SourceFrame(kind, FromHexDump(packet.GetProperty("data").GetString()!), To90k("dts"), To90k("pts"),
                kind == MediaKind.Video && packet.GetProperty("flags").GetString()!.Contains('K')));
        }

        Assert.NotNull(video);
        Assert.NotNull(audio);
        Assert.True(frames.Count(f => f.Kind == MediaKind.Video) >= 25);
        Assert.True(frames.Count(f => f.Kind == MediaKind.Audio) >= 50);
        return (video, audio, frames);
    }

    // ffprobe's hex dump: "00000000: 0164 001f ffe1 ...  .d......" — the hex is the 39 columns after the offset.
    private static byte[] FromHexDump(string dump)
    {
        var hex = new System.Text.StringBuilder();
        foreach (var line in dump.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            hex.Append(line.AsSpan(10, Math.Min(39, line.Length - 10)).ToString().Replace(" ", ""));
        }

        return Convert.FromHexString(hex.ToString());
    }
}
