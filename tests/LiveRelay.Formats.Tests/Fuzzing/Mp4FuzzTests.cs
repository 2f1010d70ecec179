using System.Text;
using LiveRelay.Formats.Mp4;
using LiveRelay.Formats.Tests.Ts;
using Xunit.Abstractions;
using static LiveRelay.Formats.Tests.Mp4.Fmp4TestFile;

namespace LiveRelay.Formats.Tests.Fuzzing;

/// <summary>The fragmented MP4 demuxer under mutated initialization and media segments.</summary>
public sealed class Mp4FuzzTests(ITestOutputHelper output)
{
    private static readonly byte[][] s_tokens =
    [
        .. new[]
        {
            "ftyp", "moov", "mvhd", "trak", "tkhd", "mdia", "mdhd", "hdlr", "minf", "stbl", "stsd", "avcC", "hvcC", "esds", "mp4a", "avc1",
            "avc3", "hvc1", "hev1", "mvex", "trex", "moof", "mfhd", "traf", "tfhd", "tfdt", "trun", "mdat", "uuid", "vide", "soun",
        }.Select(Encoding.ASCII.GetBytes),
        [0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 8], [0xFF, 0xFF, 0xFF, 0xFF], [0x00, 0x02, 0x00, 0x00], [0x00, 0x00, 0x0F, 0x01], [0x01, 0x00, 0x0F, 0x01],
        [0x03, 0x80, 0x80, 0x80, 0x7F], [0x05, 0x02, 0x12, 0x10],
    ];

    private static readonly Lazy<(byte[] Init, byte[] Segment)[]> s_files = new(Files);

    // ReadInit and Push document Mp4FormatException only, and "nothing allocated in proportion to a declared
    // count": 64× the input plus 1 MiB covers the copied codec records, tracks and pooled frames.
    internal static FuzzTarget InitTarget => new()
    {
        Name = "FragmentedMp4Demuxer.ReadInit (then Push)",
        Index = 18,
        Seeds = [.. s_files.Value.Select(f => f.Init)],
        Iterations = 6_000,
        Parse = ParseInit,
        IsDocumented = e => e is Mp4FormatException,
        Dictionary = s_tokens,
        Corpus = Corpus.Fmp4Init,
    };

    /// <summary>The input's first byte picks the init segment (of <see cref="Files"/>); the rest is the media segment.</summary>
    internal static FuzzTarget SegmentTarget => new()
    {
        Name = "FragmentedMp4Demuxer.Push",
        Index = 19,
        Seeds = [.. s_files.Value.Select((f, i) => (byte[])[(byte)i, .. f.Segment])],
        Iterations = 10_000,
        Parse = ParseSegment,
        IsDocumented = e => e is Mp4FormatException,
        Dictionary = s_tokens,
        Corpus = Corpus.Fmp4Segment,
    };

    [Fact]
    public void ReadInit_MutatedInitSegment_ThrowsOnlyMp4FormatException() => Fuzz.Run(InitTarget, output);

    [Fact]
    public void Push_MutatedMediaSegment_ThrowsOnlyMp4FormatExceptionAndDeliversNothingThen() => Fuzz.Run(SegmentTarget, output);

    private static bool ParseInit(byte[] input)
    {
        var delivered = 0;
        var demuxer = Demuxer(() => delivered++);
        demuxer.ReadInit(input);
        _ = demuxer.Tracks.Count;

        // Then every seed's media segment, so that odd tracks (length sizes, in-band configuration, unsupported
        // entries) meet samples; a segment that names a track this init lacks is a documented error too.
        foreach (var (_, segment) in s_files.Value)
        {
            PushAllOrNothing(demuxer, segment, () => delivered);
        }

        return true;
    }

    private static bool ParseSegment(byte[] input)
    {
        if (input.Length == 0)
        {
            return false;
        }

        var delivered = 0;
        var demuxer = Demuxer(() => delivered++);
        var files = s_files.Value;
        demuxer.ReadInit(files[input[0] % files.Length].Init);
        var segment = input.AsSpan(1).ToArray();
        PushAllOrNothing(demuxer, segment, () => delivered, rethrow: true);
        PushAllOrNothing(demuxer, segment, () => delivered, rethrow: true); // again: the timeline carries on
        return true;
    }

    /// <summary>Pushes a segment; a segment that throws must not have delivered a frame (the demuxer validates first).</summary>
    private static void PushAllOrNothing(FragmentedMp4Demuxer demuxer, byte[] segment, Func<int> delivered, bool rethrow = false)
    {
        var before = delivered();
        try
        {
            demuxer.Push(segment);
        }
        catch (Mp4FormatException) when (delivered() != before)
        {
            throw Fuzz.PropertyBroken($"Push threw Mp4FormatException after delivering {delivered() - before} frames of the segment");
        }
        catch (Mp4FormatException) when (!rethrow)
        {
        }
    }

    private static FragmentedMp4Demuxer Demuxer(Action onFrame) => new((track, frame) =>
    {
        if (!ReferenceEquals(track, frame.Track))
        {
            throw Fuzz.PropertyBroken($"a frame for {frame.Track.Codec} handed out with track {track.Codec}");
        }

        onFrame();
        frame.Release();
    });

    /// <summary>Init segments with a matching media segment each.</summary>
    private static (byte[] Init, byte[] Segment)[] Files()
    {
        var key = TsDemuxerTestStream.VideoKeyframe(40);
        var delta = TsDemuxerTestStream.VideoDelta(30);
        var aac = TsDemuxerTestStream.RawAac(21, 3);

        // avc3 without parameter sets and with 2-byte NAL unit lengths: the configuration comes in band.
        byte[] avc3Record = [0x01, 0x42, 0xC0, 0x1E, 0xFD, 0xE0, 0x00];

        // hev1 without arrays and with 1-byte NAL unit lengths (lengthSizeMinusOne 0).
        var hev1Record = TsHevcTestData.HvcC[..23];
        hev1Record[21] = (byte)(hev1Record[21] & 0xFC);
        hev1Record[22] = 0;

        return
        [
            (AvcAacInit(), Concat(
                Segment(1,
                    new Run(1, 0, [new Sample(3000, key, SyncFlags, 6000), new Sample(3000, delta, NonSyncFlags, 0)]),
                    new Run(2, 48000, [new Sample(1024, aac), new Sample(1024, aac[..7])])),
                Segment(2, new Run(1, 6000, [new Sample(3000, delta, NonSyncFlags, -3000)], TfdtVersion: 0, TrunVersion: 1)))),
            (Init([Trak(1, 90000, "vide", VisualEntry("hvc1", 640, 360, Box("hvcC", TsHevcTestData.HvcC)))], 1),
                Segment(7, new Run(1, 0,
                [
                    new Sample(3600, TsTestData.Avcc(TsHevcTestData.Vps, TsHevcTestData.Sps, TsHevcTestData.Pps, TsHevcTestData.IdrSlice(60))),
                    new Sample(3600, TsTestData.Avcc(TsHevcTestData.TrailSlice(30)), NonSyncFlags),
                ]))),
            (Init([AvcTrak(entry: "avc3", avcC: avc3Record)], 1),
                Segment(1, new Run(1, 0,
                [
                    new Sample(3000, Prefixed(2, TsTestData.BaselineSps, TsTestData.BaselinePps, TsTestData.IdrSlice(50))),
                    new Sample(3000, Prefixed(2, TsTestData.NonIdrSlice(20)), NonSyncFlags),
                ], TrunFlags: 0x000301))),
            (Init([Trak(1, 90000, "vide", VisualEntry("hev1", 640, 360, Box("hvcC", hev1Record)))], 1),
                Segment(1, new Run(1, 0,
                [
                    new Sample(3000, Prefixed(1, TsHevcTestData.Vps, TsHevcTestData.Sps, TsHevcTestData.Pps, TsHevcTestData.IdrSlice(60))),
                    new Sample(3000, Prefixed(1, TsHevcTestData.TrailSlice(20)), NonSyncFlags),
                ]))),
            (Init([AacTrak(), Trak(3, 1000, "text", Box("tx3g", Zeros(8)))], 2, 3),
                Segment(1, new Run(2, 0, [new Sample(1024, aac), new Sample(1024, aac), new Sample(1024, aac)], TrunFlags: 0x000201))),
        ];
    }

    /// <summary>NAL units with <paramref name="size"/>-byte big-endian length prefixes.</summary>
    private static byte[] Prefixed(int size, params byte[][] nals) =>
        [.. nals.SelectMany(nal => Enumerable.Range(0, size).Select(i => (byte)(nal.Length >> (8 * (size - 1 - i)))).Concat(nal))];
}
