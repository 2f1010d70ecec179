namespace LiveRelay.Formats.Mp4;

public sealed partial class FragmentedMp4Demuxer
{
    //  moov
    //  ├── mvhd
    //  ├── trak*  ── tkhd (track_ID)
    //  │          └─ mdia ── mdhd (timescale)
    //  │                  ├─ hdlr (handler_type: 'vide', 'soun')
    //  │                  └─ minf ── stbl ── stsd (sample entries: avc1/avc3, hvc1/hev1, mp4a)
    //  └── mvex ── trex* (per-track fragment defaults)
    private static void ReadMoov(Mp4Box moov, List<Mp4Track> tracks, List<(uint TrackId, string Code)> unsupported)
    {
        var defaults = new Dictionary<uint, TrackDefaults>();
        var children = moov.Children();
        while (children.TryReadNext(out var box))
        {
            if (box.Type == Mp4BoxType.Trak)
            {
                var track = ReadTrak(box, unsupported);
                if (tracks.Exists(t => t.Id == track.Id))
                {
                    throw new Mp4FormatException(Mp4FormatError.InvalidValue, $"two tracks in the moov have track_ID {track.Id}");
                }

                tracks.Add(track);
            }
            else if (box.Type == Mp4BoxType.Mvex)
            {
                ReadMvex(box, defaults);
            }
        }

        if (tracks.Count == 0)
        {
            throw new Mp4FormatException(Mp4FormatError.MissingBox, $"the moov at byte {moov.Offset} has no trak");
        }

        foreach (var track in tracks)
        {
            if (defaults.TryGetValue(track.Id, out var trex))
            {
                track.Defaults = trex;
            }
        }
    }

    //  aligned(8) class TrackExtendsBox extends FullBox('trex', 0, 0) {
    //    unsigned int(32) track_ID;
    //    unsigned int(32) default_sample_description_index;
    //    unsigned int(32) default_sample_duration;
    //    unsigned int(32) default_sample_size;
    //    unsigned int(32) default_sample_flags;
    //  }
    private static void ReadMvex(Mp4Box mvex, Dictionary<uint, TrackDefaults> defaults)
    {
        var children = mvex.Children();
        while (children.TryReadNext(out var box))
        {
            if (box.Type != Mp4BoxType.Trex)
            {
                continue;
            }

            var fields = box.Fields();
            fields.ReadVersionAndFlags(maxVersion: 0);
            var trackId = fields.ReadUInt32();
            defaults[trackId] = new TrackDefaults(fields.ReadUInt32(), fields.ReadUInt32(), fields.ReadUInt32(), fields.ReadUInt32());
        }
    }

    //  tkhd, version 0 | 1:  creation_time 32 | 64, modification_time 32 | 64, track_ID 32, ...
    private static Mp4Track ReadTrak(Mp4Box trak, List<(uint TrackId, string Code)> unsupported)
    {
        uint? trackId = null;
        Mp4Track? track = null;
        var children = trak.Children();
        while (children.TryReadNext(out var box))
        {
            if (box.Type == Mp4BoxType.Tkhd)
            {
                var fields = box.Fields();
                var (version, _) = fields.ReadVersionAndFlags(maxVersion: 1);
                fields.Skip(version == 0 ? 8 : 16);
                trackId = fields.ReadUInt32();
                if (trackId == 0)
                {
                    throw new Mp4FormatException(Mp4FormatError.InvalidValue, $"tkhd at byte {box.Offset} has track_ID 0");
                }
            }
            else if (box.Type == Mp4BoxType.Mdia)
            {
                if (trackId is null)
                {
                    throw new Mp4FormatException(Mp4FormatError.MissingBox, $"trak at byte {trak.Offset} has no tkhd before its mdia");
                }

                track = ReadMdia(box, trackId.Value, unsupported);
            }
        }

        return track ?? throw new Mp4FormatException(Mp4FormatError.MissingBox,
            $"trak at byte {trak.Offset} has no {(trackId is null ? "tkhd" : "mdia")}");
    }

    //  mdhd, version 0 | 1:  creation_time 32 | 64, modification_time 32 | 64, timescale 32, duration 32 | 64, ...
    //  hdlr:                 pre_defined 32, handler_type 32, reserved 32[3], name
    private static Mp4Track ReadMdia(Mp4Box mdia, uint trackId, List<(uint TrackId, string Code)> unsupported)
    {
        uint? timescale = null, handler = null;
        Mp4Box minf = default;
        var hasMinf = false;
        var children = mdia.Children();
        while (children.TryReadNext(out var box))
        {
            switch (box.Type)
            {
                case Mp4BoxType.Mdhd:
                {
                    var fields = box.Fields();
                    var (version, _) = fields.ReadVersionAndFlags(maxVersion: 1);
                    fields.Skip(version == 0 ? 8 : 16);
                    timescale = fields.ReadUInt32();
                    if (timescale == 0)
                    {
                        throw new Mp4FormatException(Mp4FormatError.InvalidValue, $"mdhd of track {trackId} has a timescale of 0");
                    }

                    break;
                }

                case Mp4BoxType.Hdlr:
                {
                    var fields = box.Fields();
                    fields.ReadVersionAndFlags(maxVersion: 0);
                    fields.Skip(4);
                    handler = fields.ReadUInt32();
                    break;
                }

                case Mp4BoxType.Minf:
                    minf = box;
                    hasMinf = true;
                    break;
            }
        }

        if (timescale is null || handler is null || !hasMinf)
        {
            var missing = timescale is null ? "mdhd" : handler is null ? "hdlr" : "minf";
            throw new Mp4FormatException(Mp4FormatError.MissingBox, $"mdia of track {trackId} has no {missing}");
        }

        if (handler is not (Mp4BoxType.Video or Mp4BoxType.Sound))
        {
            unsupported.Add((trackId, Mp4BoxType.ToString(handler.Value)));
            return new Mp4Track(trackId, timescale.Value, SampleKind.Unsupported);
        }

        return ReadStsd(FindStsd(minf, trackId), trackId, timescale.Value, handler.Value, unsupported);
    }

    private static Mp4Box FindStsd(Mp4Box minf, uint trackId)
    {
        var children = minf.Children();
        while (children.TryReadNext(out var box))
        {
            if (box.Type != Mp4BoxType.Stbl)
            {
                continue;
            }

            var tables = box.Children();
            while (tables.TryReadNext(out var table))
            {
                if (table.Type == Mp4BoxType.Stsd)
                {
                    return table;
                }
            }
        }

        throw new Mp4FormatException(Mp4FormatError.MissingBox, $"track {trackId} has no minf/stbl/stsd");
    }

    //  aligned(8) class SampleDescriptionBox extends FullBox('stsd', version, 0) {
    //    unsigned int(32) entry_count;
    //    SampleEntry entries[entry_count];          // boxes; only the first is carried
    //  }
    private static Mp4Track ReadStsd(Mp4Box stsd, uint trackId, uint timescale, uint handler, List<(uint TrackId, string Code)> unsupported)
    {
        var fields = stsd.Fields();
        fields.ReadVersionAndFlags(maxVersion: 1);
        var count = fields.ReadUInt32();
        var entries = stsd.Children(fields.Position);
        if (count == 0 || !entries.TryReadNext(out var entry))
        {
            throw new Mp4FormatException(Mp4FormatError.MissingBox, $"stsd of track {trackId} has no sample entry");
        }

        string? code;
        var track = handler == Mp4BoxType.Video
            ? ReadVisualSampleEntry(entry, trackId, timescale, out code)
            : ReadAudioSampleEntry(entry, trackId, timescale, out code);
        if (code is not null)
        {
            unsupported.Add((trackId, code));
        }

        return track;
    }
}
