using System.Buffers.Binary;
using System.Text;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Mp4;

namespace LiveRelay.Formats.Tests.Mp4;

/// <summary>Builds fMP4 boxes byte by byte for the demuxer tests, and collects what the demuxer gives back.</summary>
internal static class Fmp4TestFile
{
    public const int SyncFlags = 0x02000000;          // sample_depends_on = 2 (an I-frame), sync
    public const int NonSyncFlags = 0x01010000;       // sample_depends_on = 1, sample_is_non_sync_sample

    public const int TfhdDefaultBaseIsMoof = 0x020000;

    /// <summary>data-offset, duration, size, flags and composition offset present.</summary>
    public const int TrunAllFields = 0x000F01;

    public sealed record Demuxed(TrackInfo Track, long Dts, long Pts, bool Keyframe, byte[] Payload);

    /// <summary>One sample of a run: its duration and composition offset in track ticks, its bytes and flags.</summary>
    public sealed record Sample(uint Duration, byte[] Data, int Flags = SyncFlags, int CompositionOffset = 0);

    /// <summary>One traf with one trun; the data_offset is filled in by <see cref="Segment"/>.</summary>
    public sealed record Run(uint TrackId, ulong BaseTime, Sample[] Samples, int TfdtVersion = 1, int TrunVersion = 0, int TrunFlags = TrunAllFields);

    public static (FragmentedMp4Demuxer Demuxer, List<Demuxed> Frames) Create()
    {
        var frames = new List<Demuxed>();
        var demuxer = new FragmentedMp4Demuxer((track, frame) =>
        {
            Assert.Same(track, frame.Track);
            frames.Add(new Demuxed(track, frame.Dts, frame.Pts, frame.IsKeyframe, frame.Payload.ToArray()));
            frame.Release();
        });
        return (demuxer, frames);
    }

    public static byte[] Box(string type, params byte[][] parts)
    {
        var body = Concat(parts);
        return Concat(U32((uint)(8 + body.Length)), Encoding.ASCII.GetBytes(type), body);
    }

    public static byte[] FullBox(string type, int version, int flags, params byte[][] parts) =>
        Box(type, [U32((uint)(version << 24 | flags)), .. parts]);

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    public static byte[] U16(int value) => [(byte)(value >> 8), (byte)value];

    public static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    public static byte[] I32(int value) => U32((uint)value);

    public static byte[] U64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }

    public static byte[] Zeros(int count) => new byte[count];

    /// <summary>ftyp + moov with the given traks and an mvex with a trex per track id.</summary>
    public static byte[] Init(byte[][] traks, params uint[] trackIds) => Concat(
        Box("ftyp", Encoding.ASCII.GetBytes("iso6"), U32(0), Encoding.ASCII.GetBytes("iso6cmfc")),
        Box("moov", [FullBox("mvhd", 0, 0, Zeros(96)), .. traks, Box("mvex", [.. trackIds.Select(id => Trex(id))])]));

    public static byte[] Trex(uint trackId, uint duration = 0, uint size = 0, uint flags = 0) =>
        FullBox("trex", 0, 0, U32(trackId), U32(1), U32(duration), U32(size), U32(flags));

    public static byte[] Trak(uint trackId, uint timescale, string handler, byte[] sampleEntry) => Box("trak",
        FullBox("tkhd", 0, 3, U32(0), U32(0), U32(trackId), Zeros(68)),
        Box("mdia",
            FullBox("mdhd", 0, 0, U32(0), U32(0), U32(timescale), U32(0), U32(0x55C40000)),
            FullBox("hdlr", 0, 0, U32(0), Encoding.ASCII.GetBytes(handler), Zeros(12), [0]),
            Box("minf", Box("stbl", FullBox("stsd", 0, 0, U32(1), sampleEntry)))));

    public static byte[] VisualEntry(string type, int width, int height, params byte[][] boxes) => Box(type,
        [Zeros(6), U16(1), Zeros(16), U16(width), U16(height), U32(0x00480000), U32(0x00480000), U32(0), U16(1), Zeros(32), U16(0x18), U16(0xFFFF), .. boxes]);

    public static byte[] AudioEntry(string type, int channels, int sampleRate, params byte[][] boxes) => Box(type,
        [Zeros(6), U16(1), Zeros(8), U16(channels), U16(16), U32(0), U32((uint)sampleRate << 16), .. boxes]);

    /// <summary>An esds: ES_Descriptor → DecoderConfigDescriptor (audio stream) → DecoderSpecificInfo, sizes in 4-byte form as ffmpeg writes them.</summary>
    public static byte[] Esds(byte objectType, byte[] specificInfo)
    {
        var dsi = Descriptor(0x05, specificInfo);
        var decoderConfig = Descriptor(0x04, Concat([objectType, 0x15, 0, 0, 0], U32(128000), U32(128000), dsi));
        var es = Descriptor(0x03, Concat(U16(1), [0], decoderConfig, Descriptor(0x06, [0x02])));
        return FullBox("esds", 0, 0, es);
    }

    public static byte[] Descriptor(byte tag, byte[] body) =>
        Concat([tag, (byte)(0x80 | body.Length >> 21), (byte)(0x80 | body.Length >> 14), (byte)(0x80 | body.Length >> 7), (byte)(body.Length & 0x7F)], body);

    public static byte[] AvcTrak(uint trackId = 1, uint timescale = 90000, string entry = "avc1", byte[]? avcC = null) =>
        Trak(trackId, timescale, "vide", VisualEntry(entry, 640, 360, Box("avcC", avcC ?? Ts.TsDemuxerTestStream.BaselineAvcC)));

    public static byte[] AacTrak(uint trackId = 2, uint timescale = 48000, byte objectType = 0x40) =>
        Trak(trackId, timescale, "soun", AudioEntry("mp4a", 2, 48000, Esds(objectType, Ts.TsTestData.Asc)));

    /// <summary>The H.264 (track 1, 90 kHz) + AAC (track 2, 48 kHz) init segment most tests use.</summary>
    public static byte[] AvcAacInit() => Init([AvcTrak(), AacTrak()], 1, 2);

    /// <summary>A media segment: styp, then one moof (mfhd + a traf per run) and one mdat with the runs' data in order.</summary>
    public static byte[] Segment(uint sequence, params Run[] runs)
    {
        byte[] Moof(int[] offsets) => Box("moof",
            [FullBox("mfhd", 0, 0, U32(sequence)), .. runs.Select((run, i) => Traf(run, offsets[i]))]);

        var moofLength = Moof(new int[runs.Length]).Length;
        var offsets = new int[runs.Length];
        var position = moofLength + 8;
        for (var i = 0; i < runs.Length; i++)
        {
            offsets[i] = position;
            position += runs[i].Samples.Sum(s => s.Data.Length);
        }

        var data = Concat([.. runs.SelectMany(r => r.Samples).Select(s => s.Data)]);
        return Concat(Box("styp", Encoding.ASCII.GetBytes("msdh"), U32(0)), Moof(offsets), Box("mdat", data));
    }

    public static byte[] Traf(Run run, int dataOffset)
    {
        var table = run.Samples.SelectMany(s =>
        {
            var fields = new List<byte[]>();
            if ((run.TrunFlags & 0x100) != 0)
            {
                fields.Add(U32(s.Duration));
            }

            if ((run.TrunFlags & 0x200) != 0)
            {
                fields.Add(U32((uint)s.Data.Length));
            }

            if ((run.TrunFlags & 0x400) != 0)
            {
                fields.Add(I32(s.Flags));
            }

            if ((run.TrunFlags & 0x800) != 0)
            {
                fields.Add(I32(s.CompositionOffset));
            }

            return fields;
        });
        var tfdt = run.TfdtVersion == 1 ? U64(run.BaseTime) : U32((uint)run.BaseTime);
        return Box("traf",
            FullBox("tfhd", 0, TfhdDefaultBaseIsMoof, U32(run.TrackId)),
            FullBox("tfdt", run.TfdtVersion, 0, tfdt),
            FullBox("trun", run.TrunVersion, run.TrunFlags, [U32((uint)run.Samples.Length), .. (run.TrunFlags & 1) != 0 ? [I32(dataOffset)] : Array.Empty<byte[]>(), .. table]));
    }

    /// <summary>Where the first box of <paramref name="type"/> starts (its size field), searching the bytes for its type.</summary>
    public static int FindBox(byte[] file, string type)
    {
        var index = file.AsSpan().IndexOf(Encoding.ASCII.GetBytes(type));
        Assert.True(index >= 4, $"no {type} box");
        return index - 4;
    }
}
