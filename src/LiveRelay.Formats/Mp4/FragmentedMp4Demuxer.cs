using System.Buffers;
using LiveRelay.Core.Media;

namespace LiveRelay.Formats.Mp4;

/// <summary>
/// A demuxer for fragmented MP4 (ISO/IEC 14496-12 movie fragments, as in HLS fMP4 and CMAF): reads the
/// tracks from an initialization segment (ftyp + moov), then each media segment (moof + mdat pairs) into
/// access units in the media model: H.264 and H.265 as 4-byte length-prefixed NAL units, AAC as raw frames,
/// timestamps on <see cref="MediaClock"/> from each track's timescale. No I/O.
/// </summary>
/// <remarks>
/// <para>
/// Each call takes one whole segment and is all or nothing: the segment is validated completely (box sizes,
/// sample tables, where each sample's bytes lie, timestamp range) before the first frame is handed out, so a
/// malformed one throws <see cref="Mp4FormatException"/> and delivers nothing. Nothing is allocated in
/// proportion to a declared count: tables are checked against the bytes that hold them, and a trun may
/// declare at most <see cref="MaxSamplesPerRun"/> samples, a segment at most one per byte.
/// </para>
/// <para>
/// Each frame passed to the callback has a reference count of one and belongs to the callback, which must
/// <see cref="MediaFrame.Release"/> it (or hand it on) exactly once. Not thread-safe.
/// </para>
/// <para>
/// Edit lists are not applied: a frame's decode time is the fragment's tfdt plus the durations before it.
/// A <c>base_data_offset</c> in a tfhd counts from the start of the buffer given to <see cref="Push"/>.
/// Only a track's first sample description is carried.
/// </para>
/// </remarks>
public sealed partial class FragmentedMp4Demuxer
{
    /// <summary>Upper bound on the sample_count of one trun.</summary>
    public const int MaxSamplesPerRun = 1_000_000;

    private const int NalLengthSize = 4;

    private readonly Action<TrackInfo, MediaFrame> _onFrame;
    private readonly ArrayBufferWriter<byte> _converted = new(64 * 1024);
    private readonly HashSet<(uint TrackId, string Code)> _reportedUnsupported = [];
    private Dictionary<uint, Mp4Track> _tracks = [];
    private List<Mp4Track> _order = [];

    /// <param name="onFrame">Receives each sample as a frame with its track; owns the frame.</param>
    public FragmentedMp4Demuxer(Action<TrackInfo, MediaFrame> onFrame)
    {
        ArgumentNullException.ThrowIfNull(onFrame);
        _onFrame = onFrame;
    }

    /// <summary>
    /// Raised once per (track_ID, code) the demuxer does not carry: the code is the sample entry type
    /// (e.g. <c>Opus</c>, <c>encv</c>), <c>mp4a.XX</c> for an MPEG-4 audio object type indication other than AAC,
    /// or the handler type (e.g. <c>text</c>) for a track that is neither video nor sound.
    /// </summary>
    public event Action<uint, string>? UnsupportedTrack;

    /// <summary>True once an initialization segment has been read.</summary>
    public bool HasInit { get; private set; }

    /// <summary>The carried tracks whose configuration is known, in the order of the moov.</summary>
    public IReadOnlyList<TrackInfo> Tracks => [.. _order.Where(t => t.Info is not null).Select(t => t.Info!)];

    /// <summary>Movie fragments (moof boxes) read.</summary>
    public long FragmentsRead { get; private set; }

    /// <summary>The sequence_number of the last movie fragment's mfhd.</summary>
    public uint SequenceNumber { get; private set; }

    /// <summary>Video samples dropped because the track's parameter sets had not been seen yet (avc3/hev1 without them in the record).</summary>
    public long FramesBeforeConfig { get; private set; }

    /// <summary>Samples not delivered: NAL unit length prefixes that do not add up to the sample, or a sample description other than the first.</summary>
    public long DroppedSamples { get; private set; }

    /// <summary>
    /// Reads an initialization segment: the tracks of its moov (tkhd, mdhd, hdlr, the first stsd entry) and
    /// the fragment defaults of its mvex. Replaces the tracks of an earlier one; a track whose codec
    /// configuration did not change keeps its <see cref="TrackInfo"/> instance and its timeline.
    /// </summary>
    /// <exception cref="Mp4FormatException">The segment is malformed, has no moov, or a carried track's configuration does not parse.</exception>
    public void ReadInit(ReadOnlySpan<byte> initSegment)
    {
        var unsupported = new List<(uint TrackId, string Code)>();
        var tracks = new List<Mp4Track>();
        var sawMoov = false;
        var reader = new Mp4BoxReader(initSegment);
        while (reader.TryReadNext(out var box))
        {
            if (box.Type == Mp4BoxType.Moov)
            {
                if (sawMoov)
                {
                    throw new Mp4FormatException(Mp4FormatError.InvalidValue, $"the init segment has a second moov at byte {box.Offset}");
                }

                ReadMoov(box, tracks, unsupported);
                sawMoov = true;
            }
        }

        if (!sawMoov)
        {
            throw new Mp4FormatException(Mp4FormatError.MissingBox, "the init segment has no moov box");
        }

        Commit(tracks);
        foreach (var entry in unsupported)
        {
            if (_reportedUnsupported.Add(entry))
            {
                UnsupportedTrack?.Invoke(entry.TrackId, entry.Code);
            }
        }
    }

    /// <summary>
    /// Reads one media segment, whole: every moof with the samples it points at, in order. styp, sidx, prft,
    /// emsg, free and any other top-level box are skipped; mdat boxes are read only through the moofs.
    /// </summary>
    /// <exception cref="Mp4FormatException">The segment is malformed; no frame of it was delivered.</exception>
    /// <exception cref="InvalidOperationException"><see cref="ReadInit"/> has not succeeded yet.</exception>
    public void Push(ReadOnlySpan<byte> mediaSegment)
    {
        if (!HasInit)
        {
            throw new InvalidOperationException("Read the initialization segment (ReadInit) before a media segment.");
        }

        // Two passes over the same code: the first only validates, so a bad segment delivers nothing.
        ReadSegment(mediaSegment, emit: false);
        ReadSegment(mediaSegment, emit: true);
    }

    private void Commit(List<Mp4Track> tracks)
    {
        var byId = new Dictionary<uint, Mp4Track>();
        foreach (var track in tracks)
        {
            if (_tracks.TryGetValue(track.Id, out var previous) && previous.Kind == track.Kind && previous.Timescale == track.Timescale
                && previous.NalLengthSize == track.NalLengthSize)
            {
                if (track.Info is not null && track.Info.HasSameConfig(previous.Info))
                {
                    track.Info = previous.Info;
                    track.NextDecodeTime = previous.NextDecodeTime;
                }
                else if (track.Info is null && previous.Info is not null)
                {
                    // avc3/hev1 without parameter sets in the record: keep the ones that came in band.
                    (track.Info, track.Vps, track.Sps, track.Pps) = (previous.Info, previous.Vps, previous.Sps, previous.Pps);
                    track.NextDecodeTime = previous.NextDecodeTime;
                }
            }

            byId[track.Id] = track;
        }

        _tracks = byId;
        _order = tracks;
        HasInit = true;
    }

    private enum SampleKind
    {
        Unsupported,
        H264,
        H265,
        Aac,
    }

    /// <summary>One track of the init segment: what its samples are and the defaults its fragments fall back on.</summary>
    private sealed class Mp4Track(uint id, uint timescale, SampleKind kind)
    {
        public uint Id { get; } = id;

        public uint Timescale { get; } = timescale;

        public SampleKind Kind { get; } = kind;

        /// <summary>Bytes of each NAL unit length prefix in the samples (video): 1, 2 or 4.</summary>
        public int NalLengthSize { get; init; } = FragmentedMp4Demuxer.NalLengthSize;

        /// <summary>Null while an avc3/hev1 track waits for in-band parameter sets, and for unsupported tracks.</summary>
        public TrackInfo? Info { get; set; }

        public TrackDefaults Defaults { get; set; } = new(1, 0, 0, 0);

        /// <summary>The decode time after the last sample delivered, in the track's timescale; used when a traf has no tfdt.</summary>
        public Int128 NextDecodeTime { get; set; }

        /// <summary>The decode time while a segment is read; committed to <see cref="NextDecodeTime"/> by the delivering pass.</summary>
        public Int128 Cursor { get; set; }

        public byte[]? Vps { get; set; }

        public byte[]? Sps { get; set; }

        public byte[]? Pps { get; set; }
    }

    /// <summary>The trex (or tfhd) fallbacks for fields a trun leaves out.</summary>
    private readonly record struct TrackDefaults(uint SampleDescriptionIndex, uint Duration, uint Size, uint Flags);
}
