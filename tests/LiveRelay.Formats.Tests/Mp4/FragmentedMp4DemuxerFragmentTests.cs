using System.Numerics;
using LiveRelay.Codecs.H264;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Mp4;
using LiveRelay.Formats.Tests.Ts;
using static LiveRelay.Formats.Tests.Mp4.Fmp4TestFile;

namespace LiveRelay.Formats.Tests.Mp4;

public sealed class FragmentedMp4DemuxerFragmentTests
{
    private static readonly byte[] Key = TsDemuxerTestStream.VideoKeyframe(40);
    private static readonly byte[] Delta = TsDemuxerTestStream.VideoDelta(30);
    private static readonly byte[] AacFrame = TsDemuxerTestStream.RawAac(21, 3);

    [Fact]
    public void Push_VideoAndAudioRuns_FramesWithTimestampsKeyframesAndPayloads()
    {
        var (demuxer, frames) = Create();
        demuxer.ReadInit(AvcAacInit());

        demuxer.Push(Segment(5,
            new Run(1, 0, [new Sample(3000, Key, SyncFlags, 6000), new Sample(3000, Delta, NonSyncFlags, 0)]),
            new Run(2, 48000, [new Sample(1024, AacFrame), new Sample(1024, AacFrame[..7])])));

        Assert.Equal(
            [(CodecId.H264, 0L, 6000L, true), (CodecId.H264, 3000L, 3000L, false), (CodecId.Aac, 90000L, 90000L, false), (CodecId.Aac, 91920L, 91920L, false)],
            frames.Select(f => (f.Track.Codec, f.Dts, f.Pts, f.Keyframe)));
        Assert.Equal([Key, Delta, AacFrame, AacFrame[..7]], frames.Select(f => f.Payload));
        Assert.Equal((1, 5u), (demuxer.FragmentsRead, demuxer.SequenceNumber));
    }

    [Fact]
    public void Push_TwoMoofMdatPairsInOneSegment_DataFoundRelativeToEachMoof()
    {
        var (demuxer, frames) = Create();
        demuxer.ReadInit(AvcAacInit());

        demuxer.Push(Concat(
            Segment(1, new Run(1, 0, [new Sample(3000, Key)])),
            Segment(2, new Run(1, 3000, [new Sample(3000, Delta, NonSyncFlags)]))));

        Assert.Equal([(0L, Key), (3000L, Delta)], frames.Select(f => (f.Dts, f.Payload)));
        Assert.Equal(2, demuxer.FragmentsRead);
    }

    [Fact]
    public void Push_TfdtVersion1BeyondSixtyFourBitProducts_ConvertedExactly()
    {
        // 2^59 ticks at 12800 Hz: the product with 90000 needs 76 bits, the result fits in 63.
        var baseTime = 1UL << 59;
        var (demuxer, frames) = Create();
        demuxer.ReadInit(Init([AvcTrak(timescale: 12800)], 1));

        demuxer.Push(Segment(1, new Run(1, baseTime, [new Sample(512, Key, SyncFlags, 1024), new Sample(512, Delta, NonSyncFlags)])));

        var expected = (long)(new BigInteger(baseTime) * 90000 / 12800);
        Assert.Equal([(expected, expected + 7200), (expected + 3600, expected + 3600)], frames.Select(f => (f.Dts, f.Pts)));
    }

    [Fact]
    public void Push_TfdtVersion0_ThirtyTwoBitBaseTime()
    {
        var (demuxer, frames) = Create();
        demuxer.ReadInit(AvcAacInit());
        demuxer.Push(Segment(1, new Run(2, 0xFFFF_FFFF, [new Sample(1024, AacFrame)], TfdtVersion: 0)));
        Assert.Equal(0xFFFF_FFFFL * 90000 / 48000, frames[0].Dts);
    }

    [Fact]
    public void Push_TfdtThatOverflowsTheClock_ThrowsTimestampOutOfRangeAndDeliversNothing()
    {
        var (demuxer, frames) = Create();
        demuxer.ReadInit(Init([AvcTrak(timescale: 12800)], 1));

        var error = Assert.Throws<Mp4FormatException>(() => demuxer.Push(Segment(1, new Run(1, ulong.MaxValue - 10, [new Sample(512, Key)]))));

        Assert.Equal(Mp4FormatError.TimestampOutOfRange, error.Reason);
        Assert.Empty(frames);
    }

    [Fact]
    public void Push_TrunVersion1NegativeCompositionOffsets_PtsBeforeDtsRoundedDown()
    {
        var (demuxer, frames) = Create();
        demuxer.ReadInit(Init([AvcTrak(timescale: 12800)], 1));

        demuxer.Push(Segment(1, new Run(1, 0,
            [new Sample(512, Key, SyncFlags, -1), new Sample(512, Delta, NonSyncFlags, -1024), new Sample(512, Delta, NonSyncFlags, 512)], TrunVersion: 1)));

        // -1 tick at 12800 Hz is -7.03 ticks at 90 kHz: rounded toward negative infinity, like every other time.
        Assert.Equal([(0L, -8L), (3600L, -3600L), (7200L, 10800L)], frames.Select(f => (f.Dts, f.Pts)));
    }

    [Fact]
    public void Push_TrunVersion0OffsetWithHighBit_ReadUnsigned()
    {
        var (demuxer, frames) = Create();
        demuxer.ReadInit(AvcAacInit());
        demuxer.Push(Segment(1, new Run(1, 0, [new Sample(3000, Key, SyncFlags, int.MinValue)], TrunVersion: 0)));
        Assert.Equal(2147483648L, frames[0].Pts);
    }

    [Fact]
    public void Push_TfhdDefaultsAndFirstSampleFlags_FillWhatTheTrunLeavesOut()
    {
        var key = TsTestData.Avcc(TsTestData.IdrSlice(16));
        var delta = TsTestData.Avcc(TsTestData.NonIdrSlice(16));
        var (demuxer, frames) = Create();
        demuxer.ReadInit(AvcAacInit());

        // tfhd: default duration 1500, size 20, flags non-sync; trun: data_offset and first_sample_flags (sync) only.
        demuxer.Push(Fragment(Concat(key, delta, delta), dataStart => Box("traf",
            FullBox("tfhd", 0, TfhdDefaultBaseIsMoof | 0x38, U32(1), U32(1500), U32(20), I32(NonSyncFlags)),
            FullBox("tfdt", 0, 0, U32(100)),
            FullBox("trun", 0, 0x005, U32(3), I32(dataStart), I32(SyncFlags)))));

        Assert.Equal([(100L, true, key), (1600L, false, delta), (3100L, false, delta)], frames.Select(f => (f.Dts, f.Keyframe, f.Payload)));
    }

    [Fact]
    public void Push_TrexDefaults_UsedWhenTfhdAndTrunHaveNone()
    {
        var key = TsTestData.Avcc(TsTestData.IdrSlice(16));
        var (demuxer, frames) = Create();
        demuxer.ReadInit(ReplaceTrex(Init([AvcTrak()], 1), Trex(1, duration: 1000, size: 20, flags: SyncFlags)));

        demuxer.Push(Fragment(Concat(key, key), dataStart => Box("traf",
            FullBox("tfhd", 0, TfhdDefaultBaseIsMoof, U32(1)),
            FullBox("trun", 0, 0x001, U32(2), I32(dataStart)))));

        Assert.Equal([(0L, true), (1000L, true)], frames.Select(f => (f.Dts, f.Keyframe)));
    }

    [Fact]
    public void Push_RunsAndTrafsWithoutOffsets_EachContinuesWhereTheDataBeforeEnded()
    {
        // No default-base-is-moof: the first traf's base is the moof, the second's is where the first one's data ended;
        // a trun without data_offset starts where the trun before it ended.
        var (demuxer, frames) = Create();
        demuxer.ReadInit(AvcAacInit());

        demuxer.Push(Fragment(Concat(Key, Delta, AacFrame), dataStart => Concat(
            Box("traf",
                FullBox("tfhd", 0, 0, U32(1)),
                FullBox("trun", 0, 0x701, U32(1), I32(dataStart), U32(3000), U32((uint)Key.Length), I32(SyncFlags)),
                FullBox("trun", 0, 0x700, U32(1), U32(3000), U32((uint)Delta.Length), I32(NonSyncFlags))),
            Box("traf",
                FullBox("tfhd", 0, 0, U32(2)),
                FullBox("trun", 0, 0x300, U32(1), U32(1024), U32((uint)AacFrame.Length))))));

        Assert.Equal([Key, Delta, AacFrame], frames.Select(f => f.Payload));
        Assert.Equal([0L, 3000L, 0L], frames.Select(f => f.Dts));
    }

    [Fact]
    public void Push_BaseDataOffset_CountsFromTheStartOfTheSegment()
    {
        var (demuxer, frames) = Create();
        demuxer.ReadInit(AvcAacInit());
        var padding = Box("free", Zeros(12));

        // The sample sits right after the moof's mdat header; the moof itself comes after a 20-byte free box.
        var fragment = Fragment(AacFrame, dataStart => Box("traf",
            FullBox("tfhd", 0, 0x000001, U32(2), U64((ulong)(padding.Length + dataStart))),
            FullBox("trun", 0, 0x301, U32(1), I32(0), U32(1024), U32((uint)AacFrame.Length))));
        demuxer.Push(Concat(padding, fragment));
        Assert.Equal(AacFrame, Assert.Single(frames).Payload);

        var outside = Fragment(AacFrame, _ => Box("traf",
            FullBox("tfhd", 0, 0x000001, U32(2), U64(100_000)),
            FullBox("trun", 0, 0x301, U32(1), I32(0), U32(1024), U32((uint)AacFrame.Length))));
        Assert.Equal(Mp4FormatError.SampleDataOutOfRange, Assert.Throws<Mp4FormatException>(() => demuxer.Push(outside)).Reason);
    }

    [Fact]
    public void Push_TrunDeclaresMoreSamplesThanItsTable_ThrowsTooManySamples()
    {
        var (demuxer, frames) = Create();
        demuxer.ReadInit(AvcAacInit());

        var segment = Fragment(AacFrame, dataStart => Box("traf",
            FullBox("tfhd", 0, TfhdDefaultBaseIsMoof, U32(2)),
            FullBox("trun", 0, 0x301, U32(50_000), I32(dataStart), U32(1024), U32((uint)AacFrame.Length))));

        var error = Assert.Throws<Mp4FormatException>(() => demuxer.Push(segment));
        Assert.Equal(Mp4FormatError.TooManySamples, error.Reason);
        Assert.Empty(frames);
    }

    [Theory]
    [InlineData(1_000_001u)]   // over the per-run limit
    [InlineData(1_000_000u)]   // within it, but more samples than the segment has bytes
    public void Push_SampleCountWithoutPerSampleFields_ThrowsTooManySamples(uint count)
    {
        var (demuxer, frames) = Create();
        demuxer.ReadInit(AvcAacInit());

        var segment = Fragment([], dataStart => Box("traf",
            FullBox("tfhd", 0, TfhdDefaultBaseIsMoof, U32(2)),
            FullBox("trun", 0, 0x001, U32(count), I32(dataStart))));

        Assert.Equal(Mp4FormatError.TooManySamples, Assert.Throws<Mp4FormatException>(() => demuxer.Push(segment)).Reason);
        Assert.Empty(frames);
    }

    [Fact]
    public void Push_SampleRunningPastTheSegment_ThrowsAndDeliversNoFrameOfIt()
    {
        var (demuxer, frames) = Create();
        demuxer.ReadInit(AvcAacInit());
        var segment = Segment(1, new Run(2, 0, [new Sample(1024, AacFrame)]), new Run(1, 0, [new Sample(3000, Key)]));
        var mdat = FindBox(segment, "mdat");
        U32((uint)(segment.Length - 1 - mdat)).CopyTo(segment, mdat);
        segment = segment[..^1]; // the last sample loses its last byte, and the mdat says so: the boxes are sound

        // The moof is read before the mdat after it: its sample table is what fails first.
        Assert.Equal(Mp4FormatError.SampleDataOutOfRange, Assert.Throws<Mp4FormatException>(() => demuxer.Push(segment)).Reason);
        Assert.Empty(frames);
    }

    [Fact]
    public void Push_BoxLargerThanItsContainer_ThrowsBoxTruncated()
    {
        var (demuxer, frames) = Create();
        demuxer.ReadInit(AvcAacInit());
        var segment = Segment(1, new Run(1, 0, [new Sample(3000, Key)]));

        var moofTooLong = (byte[])segment.Clone();
        var moof = FindBox(moofTooLong, "moof");
        U32((uint)segment.Length).CopyTo(moofTooLong, moof);
        Assert.Equal(Mp4FormatError.BoxTruncated, Assert.Throws<Mp4FormatException>(() => demuxer.Push(moofTooLong)).Reason);

        var trunTooLong = (byte[])segment.Clone();
        var trun = FindBox(trunTooLong, "trun");
        U32(1000).CopyTo(trunTooLong, trun);
        Assert.Equal(Mp4FormatError.BoxTruncated, Assert.Throws<Mp4FormatException>(() => demuxer.Push(trunTooLong)).Reason);

        var hugeLargeSize = Concat(U32(1), "mdat"u8.ToArray(), U64(ulong.MaxValue));
        Assert.Equal(Mp4FormatError.BoxTruncated, Assert.Throws<Mp4FormatException>(() => demuxer.Push(Concat(segment, hugeLargeSize))).Reason);
        Assert.Empty(frames);
    }

    [Fact]
    public void Push_DepthBombAfterTheFragment_ThrowsNothingAndReadsTheFragment()
    {
        // Boxes the demuxer does not read are skipped by size, however deep they nest.
        var (demuxer, frames) = Create();
        demuxer.ReadInit(AvcAacInit());
        demuxer.Push(Concat(Segment(1, new Run(1, 0, [new Sample(3000, Key)])), Mp4BoxReaderTests.DepthBomb("meta", 100_000)));
        Assert.Single(frames);
    }

    [Fact]
    public void Push_TwoByteNalLengths_WidenedToFourBytes()
    {
        var avcC = (byte[])TsDemuxerTestStream.BaselineAvcC.Clone();
        avcC[4] = 0xFD; // lengthSizeMinusOne = 1
        var (demuxer, frames) = Create();
        demuxer.ReadInit(Init([AvcTrak(avcC: avcC)], 1));
        var sei = new byte[] { 0x06, 0x05, 0x01, 0xAA, 0x80 };
        var idr = TsTestData.IdrSlice(300);
        var sample = Concat(U16(sei.Length), sei, U16(idr.Length), idr);

        demuxer.Push(Segment(1, new Run(1, 0, [new Sample(3000, sample)])));

        Assert.Equal(TsTestData.Avcc(sei, idr), Assert.Single(frames).Payload);
    }

    [Fact]
    public void Push_OneByteNalLengths_WidenedToFourBytes()
    {
        var avcC = (byte[])TsDemuxerTestStream.BaselineAvcC.Clone();
        avcC[4] = 0xFC; // lengthSizeMinusOne = 0
        var (demuxer, frames) = Create();
        demuxer.ReadInit(Init([AvcTrak(avcC: avcC)], 1));
        var idr = TsTestData.IdrSlice(200);

        demuxer.Push(Segment(1, new Run(1, 0, [new Sample(3000, Concat([200], idr))])));

        Assert.Equal(TsTestData.Avcc(idr), Assert.Single(frames).Payload);
    }

    [Theory]
    [InlineData("0000002a65")]       // a length past the end of the sample
    [InlineData("0000000065")]       // an empty NAL unit... followed by a byte that cannot be a length
    [InlineData("00000001650000")]   // a length prefix cut short
    public void Push_NalLengthsThatDoNotTileTheSample_SampleDroppedAndCounted(string sample)
    {
        var (demuxer, frames) = Create();
        demuxer.ReadInit(AvcAacInit());

        demuxer.Push(Segment(1, new Run(1, 0, [new Sample(3000, Convert.FromHexString(sample)), new Sample(3000, Delta, NonSyncFlags)])));

        Assert.Equal(3000L, Assert.Single(frames).Dts);
        Assert.Equal(Delta, frames[0].Payload);
        Assert.Equal(1, demuxer.DroppedSamples);
    }

    [Fact]
    public void Push_Avc3WithParameterSetsOnlyInBand_TrackFromTheFirstOnes()
    {
        var (demuxer, frames) = Create();
        demuxer.ReadInit(Init([AvcTrak(entry: "avc3", avcC: Convert.FromHexString("0142c01effe000"))], 1));
        Assert.Empty(demuxer.Tracks);

        demuxer.Push(Segment(1, new Run(1, 0, [new Sample(3000, Delta, NonSyncFlags), new Sample(3000, Key)])));

        Assert.Equal(1, demuxer.FramesBeforeConfig);
        var frame = Assert.Single(frames);
        Assert.Equal((3000L, true), (frame.Dts, frame.Keyframe));
        Assert.Equal(Key, frame.Payload);
        Assert.Equal((640, 360), (frame.Track.Width, frame.Track.Height));
        Assert.Equal(AvcDecoderConfiguration.Build(TsTestData.BaselineSps, TsTestData.BaselinePps), frame.Track.CodecConfig.ToArray());
        Assert.Same(frame.Track, Assert.Single(demuxer.Tracks));

        // The same init again (a playlist re-read) keeps the in-band configuration: the next delta is delivered.
        demuxer.ReadInit(Init([AvcTrak(entry: "avc3", avcC: Convert.FromHexString("0142c01effe000"))], 1));
        demuxer.Push(Segment(2, new Run(1, 6000, [new Sample(3000, Delta, NonSyncFlags)])));
        Assert.Same(frame.Track, frames[^1].Track);
        Assert.Equal(1, demuxer.FramesBeforeConfig);
    }

    [Fact]
    public void Push_UnsupportedTrackAndOtherSampleDescription_NotDelivered()
    {
        var (demuxer, frames) = Create();
        demuxer.ReadInit(Init([AvcTrak(), Trak(3, 48000, "soun", AudioEntry("Opus", 2, 48000))], 1, 3));

        demuxer.Push(Segment(1, new Run(3, 0, [new Sample(960, AacFrame)]), new Run(1, 0, [new Sample(3000, Key)])));
        Assert.Equal([CodecId.H264], frames.Select(f => f.Track.Codec));
        Assert.Equal(0, demuxer.DroppedSamples);

        demuxer.Push(Fragment(Key, dataStart => Box("traf",
            FullBox("tfhd", 0, TfhdDefaultBaseIsMoof | 0x02, U32(1), U32(2)),
            FullBox("trun", 0, 0x301, U32(1), I32(dataStart), U32(3000), U32((uint)Key.Length)))));
        Assert.Single(frames);
        Assert.Equal(1, demuxer.DroppedSamples);
    }

    [Fact]
    public void Push_TrafForATrackTheInitDoesNotHave_ThrowsInvalidValue()
    {
        var (demuxer, _) = Create();
        demuxer.ReadInit(AvcAacInit());
        var error = Assert.Throws<Mp4FormatException>(() => demuxer.Push(Segment(1, new Run(9, 0, [new Sample(3000, Key)]))));
        Assert.Equal(Mp4FormatError.InvalidValue, error.Reason);
    }

    [Fact]
    public void Push_TrafWithoutTfhd_ThrowsMissingBox()
    {
        var (demuxer, _) = Create();
        demuxer.ReadInit(AvcAacInit());
        var segment = Concat(Box("moof", FullBox("mfhd", 0, 0, U32(1)), Box("traf", FullBox("tfdt", 0, 0, U32(0)))), Box("mdat"));
        Assert.Equal(Mp4FormatError.MissingBox, Assert.Throws<Mp4FormatException>(() => demuxer.Push(segment)).Reason);
    }

    [Fact]
    public void Push_EveryTruncatedPrefixOfABuiltSegment_ThrowsOrDeliversNothing()
    {
        var segment = Segment(1,
            new Run(1, 0, [new Sample(3000, Key), new Sample(3000, Delta, NonSyncFlags, 3000)], TrunVersion: 1),
            new Run(2, 0, [new Sample(1024, AacFrame), new Sample(1024, AacFrame)], TfdtVersion: 0));
        var (demuxer, frames) = Create();
        demuxer.ReadInit(AvcAacInit());

        for (var length = 0; length < segment.Length; length++)
        {
            try
            {
                demuxer.Push(segment.AsSpan(0, length));
            }
            catch (Mp4FormatException)
            {
            }

            Assert.Empty(frames);
        }

        demuxer.Push(segment);
        Assert.Equal(4, frames.Count);
    }

    /// <summary>One moof with the traf(s) <paramref name="trafs"/> makes for the data's offset from the moof start, then an mdat with <paramref name="data"/>.</summary>
    private static byte[] Fragment(byte[] data, Func<int, byte[]> trafs)
    {
        byte[] Moof(int dataStart) => Box("moof", FullBox("mfhd", 0, 0, U32(1)), trafs(dataStart));
        var dataStart = Moof(0).Length + 8;
        return Concat(Moof(dataStart), Box("mdat", data));
    }

    private static byte[] ReplaceTrex(byte[] init, byte[] trex)
    {
        var at = FindBox(init, "trex");
        trex.CopyTo(init, at);
        return init;
    }
}
