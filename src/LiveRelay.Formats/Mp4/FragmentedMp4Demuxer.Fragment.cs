using System.Numerics;
using LiveRelay.Core.Media;

namespace LiveRelay.Formats.Mp4;

public sealed partial class FragmentedMp4Demuxer
{
    private const int BaseDataOffsetPresent = 0x000001;
    private const int SampleDescriptionIndexPresent = 0x000002;
    private const int DefaultSampleDurationPresent = 0x000008;
    private const int DefaultSampleSizePresent = 0x000010;
    private const int DefaultSampleFlagsPresent = 0x000020;
    private const int DefaultBaseIsMoof = 0x020000;

    private const int DataOffsetPresent = 0x000001;
    private const int FirstSampleFlagsPresent = 0x000004;
    private const int SampleDurationPresent = 0x000100;
    private const int SampleSizePresent = 0x000200;
    private const int SampleFlagsPresent = 0x000400;
    private const int SampleCompositionTimeOffsetsPresent = 0x000800;
    private const int PerSampleFields = SampleDurationPresent | SampleSizePresent | SampleFlagsPresent | SampleCompositionTimeOffsetsPresent;

    //  sample_flags: reserved 4 | is_leading 2 | sample_depends_on 2 | sample_is_depended_on 2
    //                | sample_has_redundancy 2 | sample_padding_value 3 | sample_is_non_sync_sample 1
    //                | sample_degradation_priority 16
    private const uint SampleIsNonSyncSample = 0x00010000;

    //  segment: [styp] [sidx]* [prft] [emsg]* (moof mdat)+
    //  moof ── mfhd (sequence_number)
    //       └─ traf* ── tfhd (track_ID, defaults, base offset)
    //                ├─ tfdt (baseMediaDecodeTime)
    //                └─ trun* (sample table; data_offset into the mdat)
    private void ReadSegment(ReadOnlySpan<byte> segment, bool emit)
    {
        foreach (var track in _order)
        {
            track.Cursor = track.NextDecodeTime;
        }

        long samples = 0;
        var reader = new Mp4BoxReader(segment);
        while (reader.TryReadNext(out var box))
        {
            if (box.Type == Mp4BoxType.Moof)
            {
                ReadMoof(segment, box, emit, ref samples);
            }
        }

        if (emit)
        {
            foreach (var track in _order)
            {
                track.NextDecodeTime = track.Cursor;
            }
        }
    }

    //  mfhd: FullBox('mfhd', 0, 0) { unsigned int(32) sequence_number; }
    private void ReadMoof(ReadOnlySpan<byte> segment, Mp4Box moof, bool emit, ref long samples)
    {
        uint sequence = 0;
        long dataEnd = moof.Offset; // where the data of the previous traf ended; the moof for the first
        var children = moof.Children();
        while (children.TryReadNext(out var box))
        {
            if (box.Type == Mp4BoxType.Mfhd)
            {
                var fields = box.Fields();
                fields.ReadVersionAndFlags(maxVersion: 0);
                sequence = fields.ReadUInt32();
            }
            else if (box.Type == Mp4BoxType.Traf)
            {
                dataEnd = ReadTraf(segment, moof.Offset, dataEnd, box, emit, ref samples);
            }
        }

        if (emit)
        {
            FragmentsRead++;
            SequenceNumber = sequence;
        }
    }

    //  aligned(8) class TrackFragmentHeaderBox extends FullBox('tfhd', 0, tf_flags) {
    //    unsigned int(32) track_ID;
    //    unsigned int(64) base_data_offset;           // tf_flags & 0x000001
    //    unsigned int(32) sample_description_index;   // tf_flags & 0x000002
    //    unsigned int(32) default_sample_duration;    // tf_flags & 0x000008
    //    unsigned int(32) default_sample_size;        // tf_flags & 0x000010
    //    unsigned int(32) default_sample_flags;       // tf_flags & 0x000020
    //  }                         // 0x010000 duration-is-empty, 0x020000 default-base-is-moof
    //  aligned(8) class TrackFragmentBaseMediaDecodeTimeBox extends FullBox('tfdt', version, 0) {
    //    unsigned int(32 | 64) baseMediaDecodeTime;   // version 0 | 1
    //  }
    /// <summary>Reads one traf; returns where its sample data ends (the base of a following traf without one of its own).</summary>
    private long ReadTraf(ReadOnlySpan<byte> segment, long moofOffset, long previousDataEnd, Mp4Box traf, bool emit, ref long samples)
    {
        Mp4Track? track = null;
        var defaults = default(TrackDefaults);
        long baseOffset = 0;
        ulong? baseDecodeTime = null;
        var headers = traf.Children();
        while (headers.TryReadNext(out var box))
        {
            if (box.Type == Mp4BoxType.Tfhd && track is null)
            {
                var fields = box.Fields();
                var (_, flags) = fields.ReadVersionAndFlags(maxVersion: 0);
                var trackId = fields.ReadUInt32();
                if (!_tracks.TryGetValue(trackId, out track))
                {
                    throw new Mp4FormatException(Mp4FormatError.InvalidValue, $"tfhd at byte {box.Offset} names track {trackId}, which the init segment does not have");
                }

                defaults = track.Defaults;
                baseOffset = (flags & DefaultBaseIsMoof) != 0 ? moofOffset : previousDataEnd;
                if ((flags & BaseDataOffsetPresent) != 0)
                {
                    var offset = fields.ReadUInt64();
                    if (offset > (ulong)segment.Length)
                    {
                        throw new Mp4FormatException(Mp4FormatError.SampleDataOutOfRange, $"tfhd of track {trackId} has a base_data_offset of {offset}, past the {segment.Length}-byte segment");
                    }

                    baseOffset = (long)offset;
                }

                defaults = new TrackDefaults(
                    (flags & SampleDescriptionIndexPresent) != 0 ? fields.ReadUInt32() : defaults.SampleDescriptionIndex,
                    (flags & DefaultSampleDurationPresent) != 0 ? fields.ReadUInt32() : defaults.Duration,
                    (flags & DefaultSampleSizePresent) != 0 ? fields.ReadUInt32() : defaults.Size,
                    (flags & DefaultSampleFlagsPresent) != 0 ? fields.ReadUInt32() : defaults.Flags);
            }
            else if (box.Type == Mp4BoxType.Tfdt)
            {
                var fields = box.Fields();
                var (version, _) = fields.ReadVersionAndFlags(maxVersion: 1);
                baseDecodeTime = fields.ReadUInt32Or64(version);
            }
        }

        if (track is null)
        {
            throw new Mp4FormatException(Mp4FormatError.MissingBox, $"traf at byte {traf.Offset} has no tfhd");
        }

        if (baseDecodeTime is { } time)
        {
            track.Cursor = time;
        }

        var position = baseOffset; // where a trun without a data_offset starts: the base, then the end of the run before
        var runs = traf.Children();
        while (runs.TryReadNext(out var box))
        {
            if (box.Type == Mp4BoxType.Trun)
            {
                position = ReadTrun(segment, track, defaults, baseOffset, position, box, emit, ref samples);
            }
        }

        return position;
    }

    //  aligned(8) class TrackRunBox extends FullBox('trun', version, tr_flags) {
    //    unsigned int(32) sample_count;
    //    signed int(32) data_offset;                        // tr_flags & 0x000001, from the traf's base
    //    unsigned int(32) first_sample_flags;               // tr_flags & 0x000004
    //    {
    //      unsigned int(32) sample_duration;                // tr_flags & 0x000100
    //      unsigned int(32) sample_size;                    // tr_flags & 0x000200
    //      unsigned int(32) sample_flags;                   // tr_flags & 0x000400
    //      unsigned | signed int(32) sample_composition_time_offset;   // tr_flags & 0x000800, version 0 | 1
    //    }[sample_count]
    //  }
    /// <summary>Reads one trun and its samples; returns where its data ends.</summary>
    private long ReadTrun(ReadOnlySpan<byte> segment, Mp4Track track, TrackDefaults defaults, long baseOffset, long position,
        Mp4Box trun, bool emit, ref long samples)
    {
        var fields = trun.Fields();
        var (version, flags) = fields.ReadVersionAndFlags(maxVersion: 1);
        var count = fields.ReadUInt32();
        if (count > MaxSamplesPerRun)
        {
            throw new Mp4FormatException(Mp4FormatError.TooManySamples, $"trun of track {track.Id} declares {count} samples; at most {MaxSamplesPerRun} are read");
        }

        if ((flags & DataOffsetPresent) != 0)
        {
            position = baseOffset + fields.ReadInt32();
        }

        uint? firstFlags = (flags & FirstSampleFlagsPresent) != 0 ? fields.ReadUInt32() : null;

        // Limits first: the whole table must be there, the segment must hold a byte per sample, and the run must start inside it.
        var recordLength = 4 * BitOperations.PopCount((uint)(flags & PerSampleFields));
        if ((long)count * recordLength > fields.Remaining)
        {
            throw new Mp4FormatException(Mp4FormatError.TooManySamples,
                $"trun of track {track.Id} declares {count} samples of {recordLength} bytes, but only {fields.Remaining} bytes of table follow");
        }

        samples += count;
        if (samples > segment.Length)
        {
            throw new Mp4FormatException(Mp4FormatError.TooManySamples, $"the segment declares {samples} samples in {segment.Length} bytes");
        }

        if (position < 0 || position > segment.Length)
        {
            throw new Mp4FormatException(Mp4FormatError.SampleDataOutOfRange, $"trun of track {track.Id} starts its data at byte {position}, outside the {segment.Length}-byte segment");
        }

        var carried = defaults.SampleDescriptionIndex <= 1; // 1-based; 0, which writers should not use, read as the first
        for (var i = 0; i < count; i++)
        {
            var duration = (flags & SampleDurationPresent) != 0 ? fields.ReadUInt32() : defaults.Duration;
            var size = (flags & SampleSizePresent) != 0 ? fields.ReadUInt32() : defaults.Size;
            var sampleFlags = (flags & SampleFlagsPresent) != 0 ? fields.ReadUInt32() : i == 0 && firstFlags is { } first ? first : defaults.Flags;
            long offset = 0;
            if ((flags & SampleCompositionTimeOffsetsPresent) != 0)
            {
                offset = version == 0 ? fields.ReadUInt32() : fields.ReadInt32();
            }

            if (size > segment.Length - position)
            {
                throw new Mp4FormatException(Mp4FormatError.SampleDataOutOfRange,
                    $"sample {i} of a trun of track {track.Id} has {size} bytes at byte {position}, past the end of the {segment.Length}-byte segment");
            }

            var dts = ToClock(track.Cursor, track.Timescale, track.Id);
            var pts = ToClock(track.Cursor + offset, track.Timescale, track.Id);
            if (emit)
            {
                Deliver(track, segment.Slice((int)position, (int)size), dts, pts, (sampleFlags & SampleIsNonSyncSample) == 0, carried);
            }

            position += size;
            track.Cursor += duration;
        }

        return position;
    }

    /// <summary>Track timescale ticks to <see cref="MediaClock"/> ticks, rounded down; 128-bit so no product overflows.</summary>
    private static long ToClock(Int128 ticks, uint timescale, uint trackId)
    {
        var (quotient, remainder) = Int128.DivRem(ticks * MediaClock.Hz, timescale);
        if (remainder < 0)
        {
            quotient--;
        }

        if (quotient > long.MaxValue || quotient < long.MinValue)
        {
            throw new Mp4FormatException(Mp4FormatError.TimestampOutOfRange,
                $"a time of {ticks} ticks at {timescale} Hz on track {trackId} does not fit 64 bits at {MediaClock.Hz} Hz");
        }

        return (long)quotient;
    }
}
