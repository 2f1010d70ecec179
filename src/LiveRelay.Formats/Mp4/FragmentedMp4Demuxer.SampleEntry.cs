using LiveRelay.Codecs.Aac;
using LiveRelay.Codecs.H264;
using LiveRelay.Codecs.H265;
using LiveRelay.Core.Media;

namespace LiveRelay.Formats.Mp4;

public sealed partial class FragmentedMp4Demuxer
{
    private const int SampleEntryLength = 8;                          // reserved 8[6] | data_reference_index 16
    private const int VisualSampleEntryLength = SampleEntryLength + 70;
    private const int AudioSampleEntryLength = SampleEntryLength + 20;
    private const int AvcLengthSizeByte = 4;                          // avcC: reserved 6 | lengthSizeMinusOne 2
    private const int HevcLengthSizeByte = 21;                        // hvcC: ... | temporalIdNested 1 | lengthSizeMinusOne 2

    //  class VisualSampleEntry(codingname) extends SampleEntry(codingname) {   (ISO/IEC 14496-12 12.1.3)
    //    [SampleEntry: const unsigned int(8)[6] reserved = 0; unsigned int(16) data_reference_index;]
    //    unsigned int(16) pre_defined = 0; const unsigned int(16) reserved = 0;
    //    unsigned int(32)[3] pre_defined = 0;
    //    unsigned int(16) width; unsigned int(16) height;
    //    template unsigned int(32) horizresolution, vertresolution; const unsigned int(32) reserved = 0;
    //    template unsigned int(16) frame_count = 1; string[32] compressorname;
    //    template unsigned int(16) depth = 0x0018; int(16) pre_defined = -1;
    //    // boxes: avcC (avc1, avc3), hvcC (hvc1, hev1), pasp, btrt, ...
    //  }
    private static Mp4Track ReadVisualSampleEntry(Mp4Box entry, uint trackId, uint timescale, out string? unsupported)
    {
        unsupported = null;
        var (kind, configType) = entry.Type switch
        {
            Mp4BoxType.Avc1 or Mp4BoxType.Avc3 => (SampleKind.H264, Mp4BoxType.AvcC),
            Mp4BoxType.Hvc1 or Mp4BoxType.Hev1 => (SampleKind.H265, Mp4BoxType.HvcC),
            _ => (SampleKind.Unsupported, 0u),
        };
        if (kind == SampleKind.Unsupported)
        {
            unsupported = entry.Name;
            return new Mp4Track(trackId, timescale, kind);
        }

        var fields = entry.Fields();
        fields.Skip(SampleEntryLength + 16);
        var width = fields.ReadUInt16();
        var height = fields.ReadUInt16();
        var children = entry.Children(VisualSampleEntryLength);
        while (children.TryReadNext(out var box))
        {
            if (box.Type == configType)
            {
                return kind == SampleKind.H264 ? AvcTrack(box, trackId, timescale, width, height) : HevcTrack(box, trackId, timescale, width, height);
            }
        }

        throw new Mp4FormatException(Mp4FormatError.MissingBox, $"the {entry.Name} sample entry of track {trackId} has no {Mp4BoxType.ToString(configType)}");
    }

    private static Mp4Track AvcTrack(Mp4Box avcC, uint trackId, uint timescale, int width, int height)
    {
        if (!AvcDecoderConfiguration.TryParse(avcC.Body, out var parsed) || parsed is null)
        {
            throw new Mp4FormatException(Mp4FormatError.InvalidCodecConfiguration, $"the avcC of track {trackId} does not parse");
        }

        var track = new Mp4Track(trackId, timescale, SampleKind.H264) { NalLengthSize = parsed.NalUnitLengthSize };
        if (parsed.Sps.Count == 0 || parsed.Pps.Count == 0)
        {
            return track; // avc3 with the parameter sets in band only
        }

        if (H264SpsInfo.TryParse(parsed.Sps[0].Span, out var sps))
        {
            (width, height) = (sps.Width, sps.Height);
        }

        track.Info = new TrackInfo
        {
            Kind = MediaKind.Video,
            Codec = CodecId.H264,
            CodecConfig = WithFourByteLengths(avcC.Body, AvcLengthSizeByte),
            Width = width,
            Height = height,
            CodecString = parsed.CodecString,
        };
        return track;
    }

    private static Mp4Track HevcTrack(Mp4Box hvcC, uint trackId, uint timescale, int width, int height)
    {
        if (!HevcDecoderConfiguration.TryParse(hvcC.Body, out var parsed) || parsed is null)
        {
            throw new Mp4FormatException(Mp4FormatError.InvalidCodecConfiguration, $"the hvcC of track {trackId} does not parse");
        }

        var track = new Mp4Track(trackId, timescale, SampleKind.H265) { NalLengthSize = parsed.NalUnitLengthSize };
        if (parsed.Vps.Count == 0 || parsed.Sps.Count == 0 || parsed.Pps.Count == 0)
        {
            return track; // hev1 with the parameter sets in band only
        }

        if (H265SpsInfo.TryParse(parsed.Sps[0].Span, out var sps))
        {
            (width, height) = (sps.Width, sps.Height);
        }

        track.Info = new TrackInfo
        {
            Kind = MediaKind.Video,
            Codec = CodecId.H265,
            CodecConfig = WithFourByteLengths(hvcC.Body, HevcLengthSizeByte),
            Width = width,
            Height = height,
            CodecString = parsed.CodecString,
        };
        return track;
    }

    /// <summary>The record as the frames will be: lengthSizeMinusOne set to 3, since 1- and 2-byte prefixes are widened.</summary>
    private static byte[] WithFourByteLengths(ReadOnlySpan<byte> record, int lengthSizeByte)
    {
        var copy = record.ToArray();
        copy[lengthSizeByte] |= 0x03;
        return copy;
    }

    //  class AudioSampleEntry(codingname) extends SampleEntry(codingname) {    (ISO/IEC 14496-12 12.2.3)
    //    [SampleEntry: const unsigned int(8)[6] reserved = 0; unsigned int(16) data_reference_index;]
    //    const unsigned int(32)[2] reserved = 0;    // QuickTime: version 16 | revision 16 | vendor 32
    //    template unsigned int(16) channelcount = 2; template unsigned int(16) samplesize = 16;
    //    unsigned int(16) pre_defined = 0; const unsigned int(16) reserved = 0;
    //    template unsigned int(32) samplerate = {default samplerate of media} << 16;
    //    [QuickTime version 1: 16 more bytes; version 2: 36 more]
    //    // boxes: esds (mp4a), btrt, ...
    //  }
    private static Mp4Track ReadAudioSampleEntry(Mp4Box entry, uint trackId, uint timescale, out string? unsupported)
    {
        unsupported = null;
        if (entry.Type != Mp4BoxType.Mp4a)
        {
            unsupported = entry.Name;
            return new Mp4Track(trackId, timescale, SampleKind.Unsupported);
        }

        var fields = entry.Fields();
        fields.Skip(SampleEntryLength);
        var version = fields.ReadUInt16();
        fields.Skip(6);
        var channelCount = fields.ReadUInt16();
        var extra = version switch
        {
            1 => 16,
            2 => 36,
            _ => 0,
        };

        var children = entry.Children(AudioSampleEntryLength + extra);
        while (children.TryReadNext(out var box))
        {
            if (box.Type != Mp4BoxType.Esds)
            {
                continue;
            }

            var config = ReadEsds(box, trackId, out var objectType);
            if (config.IsEmpty)
            {
                unsupported = $"mp4a.{objectType:x2}";
                return new Mp4Track(trackId, timescale, SampleKind.Unsupported);
            }

            if (!AudioSpecificConfig.TryParse(config, out var asc))
            {
                throw new Mp4FormatException(Mp4FormatError.InvalidCodecConfiguration, $"the AudioSpecificConfig of track {trackId} does not parse");
            }

            return new Mp4Track(trackId, timescale, SampleKind.Aac)
            {
                Info = new TrackInfo
                {
                    Kind = MediaKind.Audio,
                    Codec = CodecId.Aac,
                    CodecConfig = config.ToArray(),
                    SampleRate = asc.SampleRate,
                    Channels = asc.Channels != 0 ? asc.Channels : channelCount,
                    CodecString = asc.CodecString,
                },
            };
        }

        throw new Mp4FormatException(Mp4FormatError.MissingBox, $"the mp4a sample entry of track {trackId} has no esds");
    }
}
