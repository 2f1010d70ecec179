using System.Buffers;
using System.Buffers.Binary;
using LiveRelay.Codecs.H264;
using LiveRelay.Codecs.H265;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Rtp;
using LiveRelay.Formats.Sdp;

namespace LiveRelay.Protocols.Rtsp;

/// <summary>H.264 and H.265: NAL units collected into access units (one per RTP timestamp, or up to the marker), parameter sets kept out of the frames and in the track.</summary>
public sealed partial class RtspTrackAssembler
{
    private readonly H264RtpDepacketizer? _h264;
    private readonly H265RtpDepacketizer? _h265;
    private byte[]? _vps;
    private byte[]? _sps;
    private byte[]? _pps;
    private uint _accessUnitTimestamp;

    private void PushVideo(in RtpHeader header, ReadOnlySpan<byte> payload)
    {
        if (_units.WrittenCount > 0 && header.Timestamp != _accessUnitTimestamp)
        {
            EmitAccessUnit();
        }

        _accessUnitTimestamp = header.Timestamp;
        if (_h264 is not null)
        {
            _h264.Push(payload, header.SequenceNumber, _units);
        }
        else
        {
            _h265!.Push(payload, header.SequenceNumber, _units);
        }

        if (header.Marker)
        {
            EmitAccessUnit();
        }
    }

    private void ReadSprop(MediaDescription media, string name)
    {
        if (!media.Format.TryGetValue(name, out var sets))
        {
            return;
        }

        foreach (var set in sets.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                Remember(Convert.FromBase64String(set));
            }
            catch (FormatException)
            {
                // A broken sprop: the parameter sets come in band instead.
            }
        }
    }

    private void EmitAccessUnit()
    {
        var time = Time(_accessUnitTimestamp);
        var keyframe = false;
        _frame.ResetWrittenCount();
        var units = _units.WrittenSpan;
        while (units.Length >= 4)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(units);
            if (length <= 0 || length > units.Length - 4)
            {
                break;
            }

            var nal = units.Slice(4, length);
            switch (Classify(nal))
            {
                case NalRole.ParameterSet:
                    Remember(nal.ToArray());
                    break;
                case NalRole.Dropped:
                    break;
                case var role:
                    keyframe |= role == NalRole.Keyframe;
                    _frame.Write(units[..(4 + length)]);
                    break;
            }

            units = units[(4 + length)..];
        }

        _units.ResetWrittenCount();
        if (_track is not null && _frame.WrittenCount > 0)
        {
            _onFrame(_track, MediaFrame.Copy(_track, _frame.WrittenSpan, time, time, keyframe));
        }
    }

    private NalRole Classify(ReadOnlySpan<byte> nal)
    {
        if (_h264 is not null)
        {
            return (nal[0] & 0x1F) switch
            {
                7 or 8 => NalRole.ParameterSet,
                9 => NalRole.Dropped, // access unit delimiters are not carried
                5 => NalRole.Keyframe,
                _ => NalRole.Picture,
            };
        }

        var type = H265Nal.GetNalType(nal[0]);
        return type switch
        {
            H265NalType.Vps or H265NalType.Sps or H265NalType.Pps => NalRole.ParameterSet,
            H265NalType.Aud => NalRole.Dropped,
            _ when H265Nal.IsIrap(type) => NalRole.Keyframe,
            _ => NalRole.Picture,
        };
    }

    /// <summary>Keeps a parameter set; a new complete set makes a new track.</summary>
    private void Remember(byte[] nal)
    {
        if (nal.Length == 0)
        {
            return;
        }

        if (_h264 is not null)
        {
            var type = nal[0] & 0x1F;
            ref var avcSlot = ref type == 7 ? ref _sps : ref _pps;
            if (!Keep(ref avcSlot, nal, type is 7 or 8))
            {
                return;
            }

            if (_sps is not null && _pps is not null && _sps.Length >= 4 && H264SpsInfo.TryParse(_sps, out var info))
            {
                var config = AvcDecoderConfiguration.Build(_sps, _pps);
                UseTrack(config, CodecId.H264, info.Width, info.Height, AvcDecoderConfiguration.TryParse(config, out var parsed) && parsed is not null ? parsed.CodecString : "");
            }

            return;
        }

        var hevc = H265Nal.GetNalType(nal[0]);
        ref var slot = ref hevc == H265NalType.Vps ? ref _vps : ref hevc == H265NalType.Sps ? ref _sps : ref _pps;
        if (!Keep(ref slot, nal, hevc is H265NalType.Vps or H265NalType.Sps or H265NalType.Pps))
        {
            return;
        }

        // The record's limits (Build throws beyond them): 16-bit lengths, a VPS long enough for its sub-layer count, a PPS with a payload.
        if (_vps is { Length: >= 4 and <= ushort.MaxValue } && _sps is { Length: <= ushort.MaxValue } && _pps is { Length: >= 3 and <= ushort.MaxValue }
            && H265SpsInfo.TryParse(_sps, out var hevcInfo))
        {
            var config = HevcDecoderConfiguration.Build(_vps, _sps, _pps);
            UseTrack(config, CodecId.H265, hevcInfo.Width, hevcInfo.Height, HevcDecoderConfiguration.TryParse(config, out var parsed) && parsed is not null ? parsed.CodecString : "");
        }
    }

    private static bool Keep(ref byte[]? slot, byte[] nal, bool isParameterSet)
    {
        if (!isParameterSet || (slot is not null && nal.AsSpan().SequenceEqual(slot)))
        {
            return false;
        }

        slot = nal;
        return true;
    }

    private void UseTrack(byte[] config, CodecId codec, int width, int height, string codecString)
    {
        if (_track is null || !config.AsSpan().SequenceEqual(_track.CodecConfig.Span))
        {
            _track = new TrackInfo
            {
                Kind = MediaKind.Video,
                Codec = codec,
                CodecConfig = config,
                Width = width,
                Height = height,
                CodecString = codecString,
            };
        }
    }

    private enum NalRole
    {
        Picture,
        Keyframe,
        ParameterSet,
        Dropped,
    }
}
