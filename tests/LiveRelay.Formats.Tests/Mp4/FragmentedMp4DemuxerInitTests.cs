using LiveRelay.Core.Media;
using LiveRelay.Formats.Mp4;
using LiveRelay.Formats.Tests.Ts;
using static LiveRelay.Formats.Tests.Mp4.Fmp4TestFile;

namespace LiveRelay.Formats.Tests.Mp4;

public sealed class FragmentedMp4DemuxerInitTests
{
    [Fact]
    public void ReadInit_AvcAndAacTracks_TrackInfoFromAvcCAndEsds()
    {
        var (demuxer, _) = Create();
        demuxer.ReadInit(AvcAacInit());

        Assert.True(demuxer.HasInit);
        Assert.Equal(2, demuxer.Tracks.Count);
        var video = demuxer.Tracks[0];
        Assert.Equal((MediaKind.Video, CodecId.H264, 640, 360, "avc1.42c01e"), (video.Kind, video.Codec, video.Width, video.Height, video.CodecString));
        Assert.Equal(TsDemuxerTestStream.BaselineAvcC, video.CodecConfig.ToArray());
        var audio = demuxer.Tracks[1];
        Assert.Equal((MediaKind.Audio, CodecId.Aac, 48000, 2, "mp4a.40.2"), (audio.Kind, audio.Codec, audio.SampleRate, audio.Channels, audio.CodecString));
        Assert.Equal(TsTestData.Asc, audio.CodecConfig.ToArray());
    }

    [Fact]
    public void ReadInit_HevcTrack_TrackInfoFromHvcC()
    {
        var (demuxer, _) = Create();
        demuxer.ReadInit(Init([Trak(7, 90000, "vide", VisualEntry("hvc1", 640, 360, Box("hvcC", TsHevcTestData.HvcC)))], 7));

        var video = Assert.Single(demuxer.Tracks);
        Assert.Equal((CodecId.H265, 640, 360, "hvc1.1.6.L63.90"), (video.Codec, video.Width, video.Height, video.CodecString));
        Assert.Equal(TsHevcTestData.HvcC, video.CodecConfig.ToArray());
    }

    [Fact]
    public void ReadInit_TwoByteNalLengths_RecordSaysFourLikeTheFrames()
    {
        var avcC = (byte[])TsDemuxerTestStream.BaselineAvcC.Clone();
        avcC[4] = 0xFD; // lengthSizeMinusOne = 1
        var (demuxer, _) = Create();
        demuxer.ReadInit(Init([AvcTrak(avcC: avcC)], 1));

        Assert.Equal(0xFF, demuxer.Tracks[0].CodecConfig.Span[4]);
    }

    [Fact]
    public void ReadInit_UnsupportedEntriesAndHandlers_ReportedOnceAndLeftOut()
    {
        var init = Init(
        [
            AvcTrak(),
            Trak(3, 48000, "soun", AudioEntry("Opus", 2, 48000, Box("dOps", [0, 2]))),
            Trak(4, 1000, "text", Box("wvtt")),
            AacTrak(trackId: 5, objectType: 0x6B), // MPEG-1 audio (MP3) in mp4a
            Trak(6, 90000, "vide", VisualEntry("encv", 640, 360)),
        ], 1, 3, 4, 5, 6);
        var reported = new List<(uint, string)>();
        var (demuxer, _) = Create();
        demuxer.UnsupportedTrack += (id, code) => reported.Add((id, code));

        demuxer.ReadInit(init);
        demuxer.ReadInit(init);

        Assert.Equal([(3u, "Opus"), (4u, "text"), (5u, "mp4a.6b"), (6u, "encv")], reported);
        Assert.Equal(CodecId.H264, Assert.Single(demuxer.Tracks).Codec);
    }

    [Fact]
    public void ReadInit_SameInitAgain_KeepsTrackInstancesAndTimeline()
    {
        // The second segment has no tfdt: its decode time continues from the first one's last sample.
        var (demuxer, frames) = Create();
        demuxer.ReadInit(AvcAacInit());
        var before = demuxer.Tracks;
        demuxer.Push(Segment(1, new Run(1, 9000, [new Sample(3000, TsDemuxerTestStream.VideoKeyframe(40))])));

        demuxer.ReadInit(AvcAacInit());
        var traf = Box("traf",
            FullBox("tfhd", 0, TfhdDefaultBaseIsMoof, U32(1)),
            FullBox("trun", 0, 0x701, U32(1), I32(0), U32(3000), U32(45), I32(NonSyncFlags)));
        var sample = TsDemuxerTestStream.VideoDelta(41);
        var moofLength = Box("moof", FullBox("mfhd", 0, 0, U32(2)), traf).Length;
        traf = Box("traf",
            FullBox("tfhd", 0, TfhdDefaultBaseIsMoof, U32(1)),
            FullBox("trun", 0, 0x701, U32(1), I32(moofLength + 8), U32(3000), U32((uint)sample.Length), I32(NonSyncFlags)));
        demuxer.Push(Concat(Box("moof", FullBox("mfhd", 0, 0, U32(2)), traf), Box("mdat", sample)));

        Assert.Equal(before, demuxer.Tracks);
        Assert.Same(before[0], frames[1].Track);
        Assert.Equal([9000L, 12000L], frames.Select(f => f.Dts));
        Assert.Equal([true, false], frames.Select(f => f.Keyframe));
        Assert.Equal(2u, demuxer.SequenceNumber);
    }

    [Theory]
    [InlineData("ftyp-only")]
    [InlineData("no-trak")]
    [InlineData("no-tkhd")]
    [InlineData("no-mdhd")]
    [InlineData("no-hdlr")]
    [InlineData("no-stsd")]
    [InlineData("empty-stsd")]
    [InlineData("no-avcC")]
    [InlineData("no-esds")]
    public void ReadInit_RequiredBoxMissing_ThrowsMissingBox(string variant)
    {
        var entry = VisualEntry("avc1", 640, 360, Box("avcC", TsDemuxerTestStream.BaselineAvcC));
        var tkhd = FullBox("tkhd", 0, 3, U32(0), U32(0), U32(1), Zeros(68));
        var mdhd = FullBox("mdhd", 0, 0, U32(0), U32(0), U32(90000), U32(0), U32(0));
        var hdlr = FullBox("hdlr", 0, 0, U32(0), "vide"u8.ToArray(), Zeros(13));
        var stbl = Box("stbl", FullBox("stsd", 0, 0, U32(1), entry));
        byte[] Moov(params byte[][] trakChildren) => Box("moov", Box("trak", trakChildren));
        byte[] Mdia(params byte[][] children) => Box("mdia", children);
        var init = variant switch
        {
            "ftyp-only" => Box("ftyp", "iso6"u8.ToArray()),
            "no-trak" => Box("moov", FullBox("mvhd", 0, 0, Zeros(96))),
            "no-tkhd" => Moov(Mdia(mdhd, hdlr, Box("minf", stbl))),
            "no-mdhd" => Moov(tkhd, Mdia(hdlr, Box("minf", stbl))),
            "no-hdlr" => Moov(tkhd, Mdia(mdhd, Box("minf", stbl))),
            "no-stsd" => Moov(tkhd, Mdia(mdhd, hdlr, Box("minf", Box("stbl")))),
            "empty-stsd" => Moov(tkhd, Mdia(mdhd, hdlr, Box("minf", Box("stbl", FullBox("stsd", 0, 0, U32(0)))))),
            "no-avcC" => Init([Trak(1, 90000, "vide", VisualEntry("avc1", 640, 360, Box("pasp", Zeros(8))))], 1),
            "no-esds" => Init([Trak(2, 48000, "soun", AudioEntry("mp4a", 2, 48000))], 2),
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };

        var (demuxer, _) = Create();
        Assert.Equal(Mp4FormatError.MissingBox, Assert.Throws<Mp4FormatException>(() => demuxer.ReadInit(init)).Reason);
        Assert.False(demuxer.HasInit);
    }

    [Fact]
    public void ReadInit_TimescaleZeroOrTrackIdZero_ThrowsInvalidValue()
    {
        var (demuxer, _) = Create();
        Assert.Equal(Mp4FormatError.InvalidValue, Assert.Throws<Mp4FormatException>(() => demuxer.ReadInit(Init([AvcTrak(timescale: 0)], 1))).Reason);
        Assert.Equal(Mp4FormatError.InvalidValue, Assert.Throws<Mp4FormatException>(() => demuxer.ReadInit(Init([AvcTrak(trackId: 0)], 0))).Reason);
        Assert.Equal(Mp4FormatError.InvalidValue, Assert.Throws<Mp4FormatException>(() => demuxer.ReadInit(Init([AvcTrak(), AvcTrak()], 1))).Reason);
    }

    [Fact]
    public void ReadInit_VersionTwoMdhd_ThrowsUnsupportedVersion()
    {
        var trak = AvcTrak();
        var mdhd = FindBox(trak, "mdhd");
        trak[mdhd + 8] = 2;
        var (demuxer, _) = Create();
        Assert.Equal(Mp4FormatError.UnsupportedVersion, Assert.Throws<Mp4FormatException>(() => demuxer.ReadInit(Init([trak], 1))).Reason);
    }

    [Theory]
    [InlineData("0380808025")]                      // ES_Descriptor declares 37 bytes, none follow
    [InlineData("03ffffffff7f")]                   // a size field of five bytes
    [InlineData("0303000100")]                     // ES_Descriptor without a DecoderConfigDescriptor
    [InlineData("030c00010004074015000000000000")] // DecoderConfigDescriptor declares 7 bytes, 6 are left in the ES_Descriptor
    [InlineData("030e0001000409401500000000000000")] // DecoderConfigDescriptor shorter than its 13 fixed bytes
    [InlineData("0314000100040f401500000000000000000000000500")] // DecoderSpecificInfo empty
    [InlineData("03080001e00300030000")]          // URL flag with a URL running past the descriptor
    public void ReadInit_MalformedEsds_ThrowsInvalidCodecConfiguration(string descriptors)
    {
        var esds = FullBox("esds", 0, 0, Convert.FromHexString(descriptors));
        var (demuxer, _) = Create();
        var error = Assert.Throws<Mp4FormatException>(() => demuxer.ReadInit(Init([Trak(2, 48000, "soun", AudioEntry("mp4a", 2, 48000, esds))], 2)));
        Assert.Equal(Mp4FormatError.InvalidCodecConfiguration, error.Reason);
    }

    [Fact]
    public void ReadInit_BrokenAvcCOrAudioSpecificConfig_ThrowsInvalidCodecConfiguration()
    {
        var (demuxer, _) = Create();
        var avcC = TsDemuxerTestStream.BaselineAvcC[..^3]; // the PPS runs past the end
        Assert.Equal(Mp4FormatError.InvalidCodecConfiguration, Assert.Throws<Mp4FormatException>(() => demuxer.ReadInit(Init([AvcTrak(avcC: avcC)], 1))).Reason);
        var zeroAsc = Trak(2, 48000, "soun", AudioEntry("mp4a", 2, 48000, Esds(0x40, [0x00, 0x00])));
        Assert.Equal(Mp4FormatError.InvalidCodecConfiguration, Assert.Throws<Mp4FormatException>(() => demuxer.ReadInit(Init([zeroAsc], 2))).Reason);
    }

    [Fact]
    public void ReadInit_QuickTimeVersionOneSoundEntry_FindsEsdsAfterTheExtraFields()
    {
        var entry = Box("mp4a", [Zeros(6), U16(1), U16(1), Zeros(6), U16(2), U16(16), U32(0), U32(48000u << 16), Zeros(16), Esds(0x40, TsTestData.Asc)]);
        var (demuxer, _) = Create();
        demuxer.ReadInit(Init([Trak(2, 48000, "soun", entry)], 2));
        Assert.Equal(48000, Assert.Single(demuxer.Tracks).SampleRate);
    }

    [Fact]
    public void ReadInit_DepthBombInMoov_ThrowsCleanly()
    {
        // 100,000 nested boxes in the moov: the reader descends only where the layout says, so it finds no trak.
        var init = Concat(Box("ftyp", "iso6"u8.ToArray()), Box("moov", Mp4BoxReaderTests.DepthBomb("trak", 100_000)));
        var (demuxer, _) = Create();
        var error = Assert.Throws<Mp4FormatException>(() => demuxer.ReadInit(init));
        Assert.Equal(Mp4FormatError.MissingBox, error.Reason);
    }
}
