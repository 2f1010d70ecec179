using System.Buffers.Binary;
using System.Globalization;
using LiveRelay.Codecs.H264;
using LiveRelay.Codecs.H265;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Mp4;
using LiveRelay.Formats.Tests.Ts;
using static LiveRelay.Formats.Tests.Mp4.Fmp4TestFile;

namespace LiveRelay.Formats.Tests.Mp4;

/// <summary>
/// HLS fMP4 made by ffmpeg at test time (libx264 or libx265 + AAC, one-second segments), read by our demuxer
/// and checked against the stream's known shape and against ffprobe's packet list.
/// </summary>
public sealed class FragmentedMp4FfmpegTests : IClassFixture<FragmentedMp4FfmpegTests.HlsOutputs>
{
    private readonly HlsOutputs _outputs;

    public FragmentedMp4FfmpegTests(HlsOutputs outputs) => _outputs = outputs;

    [Fact]
    public void Push_FfmpegH264AacHls_H264AndAacTracksWithEveryFrameOnOneTimeline()
    {
        var hls = _outputs.H264;
        var (demuxer, frames) = Create();
        demuxer.ReadInit(hls.Init);

        var video = Assert.Single(demuxer.Tracks, t => t.Kind == MediaKind.Video);
        Assert.Equal((CodecId.H264, 320, 240), (video.Codec, video.Width, video.Height));
        Assert.True(AvcDecoderConfiguration.TryParse(video.CodecConfig.Span, out var avcC) && avcC is not null);
        Assert.Equal(4, avcC.NalUnitLengthSize);
        Assert.Equal(avcC.CodecString, video.CodecString);
        var audio = Assert.Single(demuxer.Tracks, t => t.Kind == MediaKind.Audio);
        Assert.Equal((CodecId.Aac, 48000, 1, "mp4a.40.2"), (audio.Codec, audio.SampleRate, audio.Channels, audio.CodecString));

        var firstOfSegment = new List<int>();
        foreach (var segment in hls.Segments)
        {
            firstOfSegment.Add(frames.Count(f => f.Track.Kind == MediaKind.Video));
            demuxer.Push(segment);
        }

        var videoFrames = frames.Where(f => f.Track == video).ToList();
        var audioFrames = frames.Where(f => f.Track == audio).ToList();
        Assert.Equal(100, videoFrames.Count);
        Assert.Equal(hls.Segments.Count, demuxer.FragmentsRead);
        Assert.Equal(0, demuxer.DroppedSamples);
        Assert.Equal(0, demuxer.FramesBeforeConfig);

        // 25 fps on the 90 kHz clock (the track's 12800 Hz converts exactly), keyframes every 25 frames, each segment opening on one.
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * 3600L), videoFrames.Select(f => f.Dts));
        Assert.Equal([0, 25, 50, 75], videoFrames.Select((f, i) => (f, i)).Where(x => x.f.Keyframe).Select(x => x.i));
        Assert.All(firstOfSegment, i => Assert.True(videoFrames[i].Keyframe, $"video frame {i} opens a segment"));
        Assert.All(videoFrames, f => Assert.True(f.Pts >= f.Dts));
        Assert.Contains(videoFrames, f => f.Pts > f.Dts); // libx264's B-frames
        Assert.All(videoFrames, f => AssertLengthPrefixedNals(f.Payload, nal => H264Nal.GetNalType(nal[0]) is >= 1 and <= 23));
        Assert.Contains(H264NalType.Idr, NalTypes(videoFrames[0].Payload, nal => H264Nal.GetNalType(nal[0])));

        // AAC: 1024 samples at 48 kHz per frame, 1920 ticks apart, from tfdt 0 on.
        Assert.Equal(Enumerable.Range(0, audioFrames.Count).Select(i => i * 1920L), audioFrames.Select(f => f.Dts));
        Assert.All(audioFrames, f => Assert.Equal(f.Dts, f.Pts));

        // The same packets ffprobe reads from the concatenated segments: sizes, key flags and (video) timestamps.
        var probedVideo = hls.Probe("v:0");
        Assert.Equal(probedVideo.Select(p => (p.Dts * 90000 / 12800, p.Pts * 90000 / 12800, p.Size, p.Key)),
            videoFrames.Select(f => (f.Dts, f.Pts, f.Payload.Length, f.Keyframe)));
        Assert.Equal(hls.Probe("a:0").Select(p => p.Size), audioFrames.Select(f => f.Payload.Length));
        Assert.InRange(audioFrames.Count, 187, 190);
    }

    [Fact]
    public void Push_FfmpegH265AacHls_HevcTrackFromHvcCAndIrapKeyframes()
    {
        var hls = _outputs.H265;
        var (demuxer, frames) = Create();
        demuxer.ReadInit(hls.Init);

        var video = Assert.Single(demuxer.Tracks, t => t.Kind == MediaKind.Video);
        Assert.Equal((CodecId.H265, 320, 240), (video.Codec, video.Width, video.Height));
        Assert.True(HevcDecoderConfiguration.TryParse(video.CodecConfig.Span, out var hvcC) && hvcC is not null);
        Assert.Equal("hvc1.1.6.L60.90", video.CodecString);
        Assert.Equal(4, hvcC.NalUnitLengthSize);

        var firstOfSegment = new List<int>();
        foreach (var segment in hls.Segments)
        {
            firstOfSegment.Add(frames.Count(f => f.Track.Kind == MediaKind.Video));
            demuxer.Push(segment);
        }

        var videoFrames = frames.Where(f => f.Track == video).ToList();
        var audioFrames = frames.Where(f => f.Track.Kind == MediaKind.Audio).ToList();
        Assert.Equal(100, videoFrames.Count);
        Assert.Equal([0, 25, 50, 75], videoFrames.Select((f, i) => (f, i)).Where(x => x.f.Keyframe).Select(x => x.i));
        Assert.All(firstOfSegment, i => Assert.True(videoFrames[i].Keyframe, $"video frame {i} opens a segment"));
        Assert.All(videoFrames.Zip(videoFrames.Skip(1)), p => Assert.True(p.Second.Dts > p.First.Dts));
        Assert.All(videoFrames, f => Assert.True(f.Pts >= f.Dts));
        Assert.Contains(videoFrames, f => f.Pts > f.Dts); // x265's B-frames
        Assert.All(videoFrames, f => AssertLengthPrefixedNals(f.Payload, nal => H265Nal.GetNalType(nal[0]) < 48));
        Assert.All(videoFrames.Where(f => f.Keyframe), f =>
            Assert.Contains(NalTypes(f.Payload, nal => H265Nal.GetNalType(nal[0])), t => H265Nal.IsIrap(t)));
        Assert.All(audioFrames.Zip(audioFrames.Skip(1)), p => Assert.Equal(1920, p.Second.Dts - p.First.Dts));
        Assert.Equal(hls.Probe("v:0").Select(p => (p.Size, p.Key)), videoFrames.Select(f => (f.Payload.Length, f.Keyframe)));
        Assert.Equal(hls.Probe("a:0").Count, audioFrames.Count);
    }

    [Fact]
    public void ReadInit_EveryTruncatedPrefixOfFfmpegInit_ThrowsFormatException()
    {
        var init = _outputs.H264.Init;
        for (var length = 0; length < init.Length; length++)
        {
            var (demuxer, _) = Create();
            Assert.Throws<Mp4FormatException>(() => demuxer.ReadInit(init.AsSpan(0, length)));
            Assert.False(demuxer.HasInit);
        }
    }

    [Fact]
    public void Push_EveryTruncatedPrefixOfFfmpegSegment_ThrowsFormatExceptionOrDeliversNothing()
    {
        var hls = _outputs.H264;
        var segment = hls.Segments[1];
        var (demuxer, frames) = Create();
        demuxer.ReadInit(hls.Init);
        var moof = FindBox(segment, "moof");
        for (var length = 0; length < segment.Length; length++)
        {
            try
            {
                demuxer.Push(segment.AsSpan(0, length));

                // Only a cut in front of the moof (between boxes, or in a size field's leading zeros, which read as
                // a terminator) is a segment without fragments; any cut at or after it is an error.
                Assert.True(length < moof + Mp4BoxHeader.MinLength, $"a prefix of {length} bytes read without error");
            }
            catch (Mp4FormatException)
            {
            }

            Assert.Empty(frames);
        }

        // Nothing of the failed attempts stuck: the whole segment still reads from its own tfdt.
        demuxer.Push(segment);
        Assert.Equal(25, frames.Count(f => f.Track.Kind == MediaKind.Video));
        Assert.Equal(25 * 3600, frames[0].Dts);
        Assert.Equal(1, demuxer.FragmentsRead);
    }

    [Fact]
    public void Push_BeforeReadInit_Throws()
    {
        var (demuxer, _) = Create();
        Assert.Throws<InvalidOperationException>(() => demuxer.Push(_outputs.H264.Segments[0]));
    }

    private static void AssertLengthPrefixedNals(byte[] payload, Func<byte[], bool> validHeader)
    {
        var remaining = payload.AsSpan();
        Assert.False(remaining.IsEmpty);
        while (!remaining.IsEmpty)
        {
            Assert.True(remaining.Length >= 4);
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(remaining);
            Assert.InRange(length, 1, remaining.Length - 4);
            Assert.True(validHeader(remaining.Slice(4, length).ToArray()), "a NAL unit header of the wrong codec");
            remaining = remaining[(4 + length)..];
        }
    }

    private static List<int> NalTypes(byte[] payload, Func<byte[], int> type)
    {
        var types = new List<int>();
        for (var offset = 0; offset < payload.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(offset));
            types.Add(type(payload[(offset + 4)..(offset + 4 + length)]));
            offset += 4 + length;
        }

        return types;
    }

    public sealed record ProbedPacket(long Pts, long Dts, int Size, bool Key);

    /// <summary>One HLS fMP4 rendition on disk: the init segment, the media segments in playlist order, and ffprobe over them.</summary>
    public sealed record HlsOutput(string Directory, byte[] Init, List<byte[]> Segments)
    {
        public List<ProbedPacket> Probe(string stream)
        {
            var whole = Path.Combine(Directory, "whole.mp4");
            if (!File.Exists(whole))
            {
                File.WriteAllBytes(whole, [.. Init, .. Segments.SelectMany(s => s)]);
            }

            var csv = FfmpegTool.RunChecked("ffprobe", "-v", "error", "-select_streams", stream,
                "-show_entries", "packet=pts,dts,size,flags", "-of", "csv=p=0", whole);
            return [.. csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line =>
            {
                var fields = line.Split(',');
                return new ProbedPacket(long.Parse(fields[0], CultureInfo.InvariantCulture), long.Parse(fields[1], CultureInfo.InvariantCulture),
                    int.Parse(fields[2], CultureInfo.InvariantCulture), fields[3].StartsWith('K'));
            })];
        }
    }

    /// <summary>Makes each rendition once for the class: four seconds of testsrc2 320x240 at 25 fps and a 1 kHz sine at 48 kHz.</summary>
    public sealed class HlsOutputs : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("liverelay-fmp4-").FullName;
        private readonly Lazy<HlsOutput> _h264;
        private readonly Lazy<HlsOutput> _h265;

        public HlsOutputs()
        {
            _h264 = new(() => Generate("h264", "-c:v", "libx264", "-g", "25"));
            _h265 = new(() =>
            {
                var encoders = FfmpegTool.RunChecked("ffmpeg", "-hide_banner", "-encoders");
                Assert.Contains(" libx265 ", encoders); // required here: the H.265 path is not skipped silently
                return Generate("h265", "-c:v", "libx265", "-preset", "ultrafast",
                    "-x265-params", "log-level=error:keyint=25:min-keyint=25:scenecut=0:bframes=2");
            });
        }

        public HlsOutput H264 => _h264.Value;

        public HlsOutput H265 => _h265.Value;

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        private HlsOutput Generate(string name, params string[] video)
        {
            var directory = Path.Combine(_directory, name);
            System.IO.Directory.CreateDirectory(directory);
            FfmpegTool.RunChecked("ffmpeg", [
                "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
                "-t", "4", .. video, "-c:a", "aac",
                "-f", "hls", "-hls_segment_type", "fmp4", "-hls_time", "1", "-hls_playlist_type", "vod",
                Path.Combine(directory, "index.m3u8")]);
            var playlist = File.ReadAllLines(Path.Combine(directory, "index.m3u8"));
            Assert.Contains(playlist, l => l.StartsWith("#EXT-X-MAP:URI=\"init.mp4\"", StringComparison.Ordinal));
            var segments = playlist.Where(l => l.EndsWith(".m4s", StringComparison.Ordinal)).Select(l => File.ReadAllBytes(Path.Combine(directory, l))).ToList();
            Assert.Equal(4, segments.Count);
            return new HlsOutput(directory, File.ReadAllBytes(Path.Combine(directory, "init.mp4")), segments);
        }
    }
}
