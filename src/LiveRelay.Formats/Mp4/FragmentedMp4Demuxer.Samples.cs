using System.Buffers.Binary;
using LiveRelay.Codecs.H264;
using LiveRelay.Codecs.H265;
using LiveRelay.Core.Media;

namespace LiveRelay.Formats.Mp4;

public sealed partial class FragmentedMp4Demuxer
{
    private void Deliver(Mp4Track track, ReadOnlySpan<byte> sample, long dts, long pts, bool sync, bool carried)
    {
        if (sample.IsEmpty || track.Kind == SampleKind.Unsupported)
        {
            return;
        }

        if (!carried)
        {
            DroppedSamples++;
            return;
        }

        if (track.Kind == SampleKind.Aac)
        {
            _onFrame(track.Info!, MediaFrame.Copy(track.Info!, sample, dts, pts, isKeyframe: true));
            return;
        }

        if (!TryNormalize(track, sample, out var payload))
        {
            DroppedSamples++;
            return;
        }

        track.Info ??= track.Kind == SampleKind.H264 ? InBandAvcTrack(track) : InBandHevcTrack(track);
        if (track.Info is null)
        {
            FramesBeforeConfig++;
            return;
        }

        _onFrame(track.Info, MediaFrame.Copy(track.Info, payload, dts, pts, sync));
    }

    //  sample (ISO/IEC 14496-15 5.3.2, 8.3.2):  { NALUnitLength (8 × LengthSizeMinusOne+1 bits) | NALUnit }+
    /// <summary>
    /// Checks that the NAL unit lengths tile the sample exactly, with no empty unit, and widens 1- and 2-byte
    /// prefixes to the model's 4 bytes. A track still without configuration collects in-band parameter sets.
    /// </summary>
    private bool TryNormalize(Mp4Track track, ReadOnlySpan<byte> sample, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        var lengthSize = track.NalLengthSize;
        var widen = lengthSize != NalLengthSize;
        _converted.ResetWrittenCount();
        var remaining = sample;
        while (!remaining.IsEmpty)
        {
            if (remaining.Length < lengthSize)
            {
                return false;
            }

            var length = lengthSize switch
            {
                1 => remaining[0],
                2 => BinaryPrimitives.ReadUInt16BigEndian(remaining),
                _ => BinaryPrimitives.ReadUInt32BigEndian(remaining),
            };
            if (length == 0 || length > (uint)(remaining.Length - lengthSize))
            {
                return false;
            }

            var nal = remaining.Slice(lengthSize, (int)length);
            if (widen)
            {
                var destination = _converted.GetSpan(NalLengthSize + nal.Length);
                BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)nal.Length);
                nal.CopyTo(destination[NalLengthSize..]);
                _converted.Advance(NalLengthSize + nal.Length);
            }

            if (track.Info is null)
            {
                CollectParameterSet(track, nal);
            }

            remaining = remaining[(lengthSize + nal.Length)..];
        }

        payload = widen ? _converted.WrittenSpan : sample;
        return true;
    }

    private static void CollectParameterSet(Mp4Track track, ReadOnlySpan<byte> nal)
    {
        if (track.Kind == SampleKind.H264)
        {
            switch (H264Nal.GetNalType(nal[0]))
            {
                case H264NalType.Sps:
                    track.Sps ??= nal.ToArray();
                    break;
                case H264NalType.Pps:
                    track.Pps ??= nal.ToArray();
                    break;
            }

            return;
        }

        switch (H265Nal.GetNalType(nal[0]))
        {
            case H265NalType.Vps:
                track.Vps ??= nal.ToArray();
                break;
            case H265NalType.Sps:
                track.Sps ??= nal.ToArray();
                break;
            case H265NalType.Pps:
                track.Pps ??= nal.ToArray();
                break;
        }
    }

    /// <summary>An avc3 track's configuration from its first in-band SPS and PPS, as the TS demuxer builds it.</summary>
    private static TrackInfo? InBandAvcTrack(Mp4Track track)
    {
        if (track.Sps is not { Length: >= 4 and <= ushort.MaxValue } sps || track.Pps is not { Length: <= ushort.MaxValue } pps
            || !H264SpsInfo.TryParse(sps, out var info))
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

    /// <summary>A hev1 track's configuration from its first in-band VPS, SPS and PPS, as the TS demuxer builds it.</summary>
    private static TrackInfo? InBandHevcTrack(Mp4Track track)
    {
        // The record's limits (Build throws beyond them): 16-bit lengths, a VPS long enough for its sub-layer count, a PPS with a payload.
        if (track.Vps is not { Length: >= 4 and <= ushort.MaxValue } vps || track.Pps is not { Length: >= 3 and <= ushort.MaxValue } pps
            || track.Sps is not { Length: <= ushort.MaxValue } sps || !H265SpsInfo.TryParse(sps, out var info))
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
}
