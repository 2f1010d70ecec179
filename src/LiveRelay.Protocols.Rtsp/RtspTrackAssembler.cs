using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using LiveRelay.Codecs.Aac;
using LiveRelay.Codecs.H264;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Rtp;
using LiveRelay.Formats.Sdp;

namespace LiveRelay.Protocols.Rtsp;

/// <summary>
/// Turns one RTSP track's RTP packets into media frames: H.264 (RFC 6184; parameter sets from
/// <c>sprop-parameter-sets</c> or from the stream, an access unit per RTP timestamp) or AAC
/// (RFC 3640 MPEG4-GENERIC, AU headers of 13+3 bits). Timestamps are unwrapped and start at 0 per
/// track (no RTCP sender-report sync yet), in 90 kHz.
/// </summary>
public sealed class RtspTrackAssembler
{
    private readonly MediaDescription _media;
    private readonly Action<TrackInfo, MediaFrame> _onFrame;
    private readonly H264RtpDepacketizer _h264 = new();
    private readonly ArrayBufferWriter<byte> _accessUnit = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _frame = new(64 * 1024);
    private byte[]? _sps;
    private byte[]? _pps;
    private TrackInfo? _track;
    private uint _accessUnitTimestamp;
    private long _extended = -1;
    private long _first = -1;

    public RtspTrackAssembler(MediaDescription media, Action<TrackInfo, MediaFrame> onFrame)
    {
        ArgumentNullException.ThrowIfNull(media);
        _media = media;
        _onFrame = onFrame;
        if (IsH264(media) && media.Format.TryGetValue("sprop-parameter-sets", out var sets))
        {
            foreach (var set in sets.Split(','))
            {
                try
                {
                    Remember(Convert.FromBase64String(set.Trim()));
                }
                catch (FormatException)
                {
                    // A broken sprop: the parameter sets come in band instead.
                }
            }
        }

        if (IsAac(media) && media.Format.TryGetValue("config", out var config) && config.Length % 2 == 0
            && AudioSpecificConfig.TryParse(Convert.FromHexString(config), out var asc))
        {
            _track = new TrackInfo
            {
                Kind = MediaKind.Audio,
                Codec = CodecId.Aac,
                CodecConfig = AudioSpecificConfig.Build(asc.ObjectType, asc.SampleRate, asc.Channels),
                SampleRate = asc.SampleRate,
                Channels = asc.Channels,
                CodecString = asc.CodecString,
            };
        }
    }

    /// <summary>Whether the track is one this assembler carries.</summary>
    public static bool Supports(MediaDescription media) => IsH264(media) || (IsAac(media) && media.Format.ContainsKey("config"));

    public void Push(ReadOnlySpan<byte> packet)
    {
        if (!RtpPacket.TryRead(packet, out var header, out var payload, out _) || header.PayloadType != _media.PayloadType)
        {
            return;
        }

        if (IsH264(_media))
        {
            if (_accessUnit.WrittenCount > 0 && header.Timestamp != _accessUnitTimestamp)
            {
                EmitAccessUnit();
            }

            _accessUnitTimestamp = header.Timestamp;
            _h264.Push(payload, header.SequenceNumber, _accessUnit);
            if (header.Marker)
            {
                EmitAccessUnit();
            }
        }
        else
        {
            ReadAac(payload, header.Timestamp);
        }
    }

    private static bool IsH264(MediaDescription media) => media.Encoding == "H264";

    private static bool IsAac(MediaDescription media) => media.Encoding == "MPEG4-GENERIC";

    /// <summary>90 kHz time of an RTP timestamp, unwrapped, from the track's first packet.</summary>
    private long Time(uint timestamp)
    {
        _extended = _extended < 0 ? timestamp : _extended + (int)(timestamp - (uint)_extended);
        if (_first < 0)
        {
            _first = _extended;
        }

        var clock = _media.ClockRate > 0 ? _media.ClockRate : 90000;
        return (_extended - _first) * MediaClock.Hz / clock;
    }

    private void EmitAccessUnit()
    {
        var time = Time(_accessUnitTimestamp);
        var keyframe = false;
        _frame.ResetWrittenCount();
        var units = _accessUnit.WrittenSpan;
        while (units.Length >= 4)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(units);
            var nal = units.Slice(4, length);
            switch (nal[0] & 0x1F)
            {
                case 7 or 8:
                    Remember(nal.ToArray());
                    break;
                case 9:
                    break; // access unit delimiters are not carried
                default:
                    keyframe |= (nal[0] & 0x1F) == 5;
                    _frame.Write(units[..(4 + length)]);
                    break;
            }

            units = units[(4 + length)..];
        }

        _accessUnit.ResetWrittenCount();
        if (_track is not null && _frame.WrittenCount > 0)
        {
            _onFrame(_track, MediaFrame.Copy(_track, _frame.WrittenSpan, time, time, keyframe));
        }
    }

    /// <summary>Keeps a parameter set; a new pair of SPS and PPS makes a new track.</summary>
    private void Remember(byte[] nal)
    {
        if (nal.Length == 0)
        {
            return;
        }

        var type = nal[0] & 0x1F;
        if (type == 7 && (_sps is null || !nal.AsSpan().SequenceEqual(_sps)))
        {
            _sps = nal;
        }
        else if (type == 8 && (_pps is null || !nal.AsSpan().SequenceEqual(_pps)))
        {
            _pps = nal;
        }
        else
        {
            return;
        }

        if (_sps is not null && _pps is not null && H264SpsInfo.TryParse(_sps, out var info))
        {
            var config = AvcDecoderConfiguration.Build(_sps, _pps);
            if (_track is null || !config.AsSpan().SequenceEqual(_track.CodecConfig.Span))
            {
                _track = new TrackInfo
                {
                    Kind = MediaKind.Video,
                    Codec = CodecId.H264,
                    CodecConfig = config,
                    Width = info.Width,
                    Height = info.Height,
                    CodecString = AvcDecoderConfiguration.TryParse(config, out var parsed) && parsed is not null ? parsed.CodecString : "",
                };
            }
        }
    }

    //  AU-headers-length (16, in bits) | AU-header × n (AU-size 13 | AU-Index(-delta) 3) | padding to a byte | AU × n
    private void ReadAac(ReadOnlySpan<byte> payload, uint timestamp)
    {
        if (_track is null || payload.Length < 2)
        {
            return;
        }

        var sizeLength = Parameter("sizelength", 13);
        var indexLength = Parameter("indexlength", 3);
        if (sizeLength + indexLength != 16)
        {
            return; // only the common AAC-hbr layout
        }

        var headerBits = BinaryPrimitives.ReadUInt16BigEndian(payload);
        var headerBytes = (headerBits + 7) / 8;
        if (2 + headerBytes > payload.Length)
        {
            return;
        }

        var headers = payload.Slice(2, headerBytes);
        var data = payload[(2 + headerBytes)..];
        var start = Time(timestamp);
        for (var i = 0; i + 1 < headers.Length; i += 2)
        {
            var size = BinaryPrimitives.ReadUInt16BigEndian(headers[i..]) >> indexLength;
            if (size == 0 || size > data.Length)
            {
                return;
            }

            var pts = start + (i / 2 * 1024L * MediaClock.Hz / Math.Max(1, _track.SampleRate));
            _onFrame(_track, MediaFrame.Copy(_track, data[..size], pts, pts, isKeyframe: false));
            data = data[size..];
        }
    }

    private int Parameter(string name, int fallback) =>
        _media.Format.TryGetValue(name, out var value) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : fallback;
}
