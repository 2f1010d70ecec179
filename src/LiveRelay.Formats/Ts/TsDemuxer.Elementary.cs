using System.Buffers;
using System.Buffers.Binary;
using LiveRelay.Codecs.Aac;
using LiveRelay.Codecs.H264;
using LiveRelay.Codecs.H265;
using LiveRelay.Core.Media;

namespace LiveRelay.Formats.Ts;

public sealed partial class TsDemuxer
{
    private const int AacSamplesPerFrame = 1024;
    private const int NalLengthSize = 4;

    private readonly ArrayBufferWriter<byte> _avcc = new(64 * 1024);

    // PES payload: one Annex B access unit (2.14 of H.222.0: aligned H.264/H.265 PES carry whole AUs).
    // Converted to 4-byte length-prefixed NAL units, AUD dropped; the parameter sets stay in band and feed
    // the track (a new one only when their bytes change). The codec says which NAL units make a keyframe.
    private bool OnVideo<TCodec>(ElementaryStream stream, ReadOnlySpan<byte> annexB, long? dts, long? pts)
        where TCodec : IVideoCodec
    {
        if (dts is null || pts is null)
        {
            return false; // an access unit without PTS cannot be placed on the timeline
        }

        _avcc.ResetWrittenCount();
        if (!TCodec.TryConvertAnnexB(annexB, _avcc))
        {
            return false;
        }

        var accessUnit = _avcc.WrittenSpan;
        if (accessUnit.IsEmpty)
        {
            return true; // only delimiters: nothing to publish
        }

        var keyframe = false;
        var remaining = accessUnit;
        while (remaining.Length >= NalLengthSize)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(remaining);
            keyframe |= TCodec.OnNal(stream, remaining.Slice(NalLengthSize, length));
            remaining = remaining[(NalLengthSize + length)..];
        }

        stream.Track ??= TCodec.CreateTrack(stream);
        if (stream.Track is null)
        {
            FramesBeforeConfig++;
            return true;
        }

        _onFrame(stream.Track, MediaFrame.Copy(stream.Track, accessUnit, dts.Value, pts.Value, keyframe));
        return true;
    }

    /// <summary>Replaces a parameter set whose bytes changed, and drops the track built from the old one.</summary>
    private static byte[]? Update(ElementaryStream stream, byte[]? parameterSet, ReadOnlySpan<byte> nal)
    {
        if (nal.SequenceEqual(parameterSet))
        {
            return parameterSet;
        }

        stream.Track = null;
        return nal.ToArray();
    }

    /// <summary>
    /// A video codec's part in <see cref="OnVideo{TCodec}"/>; implemented by empty structs, so the shared loop
    /// is specialised per codec without allocating.
    /// </summary>
    private interface IVideoCodec
    {
        /// <summary>Converts the Annex B access unit to 4-byte length-prefixed NAL units, without delimiters.</summary>
        static abstract bool TryConvertAnnexB(ReadOnlySpan<byte> annexB, IBufferWriter<byte> output);

        /// <summary>Takes in the parameter set a NAL unit may be; true when the NAL unit makes the access unit a keyframe.</summary>
        static abstract bool OnNal(ElementaryStream stream, ReadOnlySpan<byte> nal);

        /// <summary>The track for the stream's parameter sets; null while one is missing or they do not parse.</summary>
        static abstract TrackInfo? CreateTrack(ElementaryStream stream);
    }

    /// <summary>H.264: an IDR slice is a keyframe; SPS and PPS make the track.</summary>
    private readonly struct H264Video : IVideoCodec
    {
        public static bool TryConvertAnnexB(ReadOnlySpan<byte> annexB, IBufferWriter<byte> output) =>
            H264Nal.TryConvertAnnexBToAvcc(annexB, output);

        public static bool OnNal(ElementaryStream stream, ReadOnlySpan<byte> nal)
        {
            switch (H264Nal.GetNalType(nal[0]))
            {
                case H264NalType.Idr:
                    return true;
                case H264NalType.Sps:
                    stream.Sps = Update(stream, stream.Sps, nal);
                    break;
                case H264NalType.Pps:
                    stream.Pps = Update(stream, stream.Pps, nal);
                    break;
            }

            return false;
        }

        public static TrackInfo? CreateTrack(ElementaryStream stream) =>
            stream.Sps is not null && stream.Pps is not null ? CreateVideoTrack(stream.Sps, stream.Pps) : null;
    }

    /// <summary>H.265: any IRAP slice (BLA, IDR, CRA) is a keyframe; VPS, SPS and PPS make the track.</summary>
    private readonly struct H265Video : IVideoCodec
    {
        public static bool TryConvertAnnexB(ReadOnlySpan<byte> annexB, IBufferWriter<byte> output) =>
            H265Nal.TryConvertAnnexBToHvcc(annexB, output);

        public static bool OnNal(ElementaryStream stream, ReadOnlySpan<byte> nal)
        {
            var type = H265Nal.GetNalType(nal[0]);
            switch (type)
            {
                case H265NalType.Vps:
                    stream.Vps = Update(stream, stream.Vps, nal);
                    break;
                case H265NalType.Sps:
                    stream.Sps = Update(stream, stream.Sps, nal);
                    break;
                case H265NalType.Pps:
                    stream.Pps = Update(stream, stream.Pps, nal);
                    break;
            }

            return H265Nal.IsIrap(type);
        }

        public static TrackInfo? CreateTrack(ElementaryStream stream) =>
            stream.Vps is not null && stream.Sps is not null && stream.Pps is not null
                ? CreateHevcTrack(stream.Vps, stream.Sps, stream.Pps)
                : null;
    }

    private static TrackInfo? CreateVideoTrack(byte[] sps, byte[] pps)
    {
        // The record's limits (Build throws beyond them): 16-bit parameter set lengths.
        if (sps.Length is < 4 or > ushort.MaxValue || pps.Length > ushort.MaxValue || !H264SpsInfo.TryParse(sps, out var info))
        {
            return null;
        }

        var config = AvcDecoderConfiguration.Build(sps, pps);
        return new TrackInfo
        {
            Kind = MediaKind.Video,
            Codec = CodecId.H264,
            CodecConfig = config,
            Width = info.Width,
            Height = info.Height,
            CodecString = AvcDecoderConfiguration.TryParse(config, out var parsed) && parsed is not null ? parsed.CodecString : "",
        };
    }

    private static TrackInfo? CreateHevcTrack(byte[] vps, byte[] sps, byte[] pps)
    {
        // The record's limits (Build throws beyond them): 16-bit NAL unit lengths, a VPS long enough
        // for its sub-layer count, a PPS with a payload, an SPS that parses.
        if (vps.Length is < 4 or > ushort.MaxValue || pps.Length is < 3 or > ushort.MaxValue || sps.Length > ushort.MaxValue
            || !H265SpsInfo.TryParse(sps, out var info))
        {
            return null;
        }

        var config = HevcDecoderConfiguration.Build(vps, sps, pps);
        return new TrackInfo
        {
            Kind = MediaKind.Video,
            Codec = CodecId.H265,
            CodecConfig = config,
            Width = info.Width,
            Height = info.Height,
            CodecString = HevcDecoderConfiguration.TryParse(config, out var parsed) && parsed is not null ? parsed.CodecString : "",
        };
    }

    //  PES payload: ADTS frames back to back (ISO/IEC 13818-7 6.2):
    //  adts_fixed_header 28 | adts_variable_header 28 (frame_length 13 includes the header) | [crc 16] | raw_data_block
    //  The PES PTS belongs to the first frame; each further frame is 1024 samples later.
    private bool OnAdts(ElementaryStream stream, ReadOnlySpan<byte> payload, long? pts)
    {
        var first = pts ?? stream.NextAudioPts;
        if (first is null)
        {
            return false;
        }

        var index = 0;
        var sampleRate = 0;
        while (!payload.IsEmpty)
        {
            if (!Adts.TryParseHeader(payload, out var adts) || adts.FrameLength > payload.Length)
            {
                return index > 0 && Advance(stream, first.Value, index, sampleRate);
            }

            var config = adts.ToAudioSpecificConfig();
            if (config.Channels is < 1 or > 8 or 7)
            {
                return false; // channel configuration 0 needs a PCE, which ADTS-in-TS does not give us
            }

            var key = (adts.ObjectType, adts.SampleRateIndex, config.Channels);
            if (stream.Track is null || stream.AudioKey != key)
            {
                stream.AudioKey = key;
                stream.Track = new TrackInfo
                {
                    Kind = MediaKind.Audio,
                    Codec = CodecId.Aac,
                    CodecConfig = AudioSpecificConfig.Build(adts.ObjectType, adts.SampleRate, config.Channels),
                    SampleRate = adts.SampleRate,
                    Channels = config.Channels,
                    CodecString = config.CodecString,
                };
            }

            sampleRate = adts.SampleRate;
            var framePts = first.Value + index * (long)AacSamplesPerFrame * MediaClock.Hz / sampleRate;
            var raw = payload[adts.HeaderLength..adts.FrameLength];
            _onFrame(stream.Track, MediaFrame.Copy(stream.Track, raw, framePts, framePts, isKeyframe: false));
            payload = payload[adts.FrameLength..];
            index++;
        }

        return index == 0 || Advance(stream, first.Value, index, sampleRate);
    }

    private static bool Advance(ElementaryStream stream, long first, int frames, int sampleRate)
    {
        stream.NextAudioPts = first + frames * (long)AacSamplesPerFrame * MediaClock.Hz / sampleRate;
        return true;
    }
}
