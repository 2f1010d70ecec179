using System.Buffers.Binary;
using System.Globalization;
using LiveRelay.Codecs.Aac;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Rtp;
using LiveRelay.Formats.Sdp;

namespace LiveRelay.Protocols.Rtsp;

/// <summary>AAC: MPEG4-GENERIC AU headers (RFC 3640) and MP4A-LATM AudioMuxElements (RFC 6416), one frame per access unit, 1024 samples apart.</summary>
public sealed partial class RtspTrackAssembler
{
    private readonly Mp4aLatmDepacketizer? _latm;

    private static TrackInfo? AacTrack(MediaDescription media) =>
        media.Format.TryGetValue("config", out var config) && config.Length % 2 == 0 && config.Length <= 64
            && config.All(Uri.IsHexDigit) && AudioSpecificConfig.TryParse(Convert.FromHexString(config), out var asc)
            ? AacTrack(asc)
            : null;

    private static TrackInfo AacTrack(AudioSpecificConfig asc) => new()
    {
        Kind = MediaKind.Audio,
        Codec = CodecId.Aac,
        CodecConfig = AudioSpecificConfig.Build(asc.ObjectType, asc.SampleRate, asc.Channels),
        SampleRate = asc.SampleRate,
        Channels = asc.Channels,
        CodecString = asc.CodecString,
    };

    private static bool LatmConfig(MediaDescription media, out Mp4aLatmConfig? config, out string? error)
    {
        config = null;
        if (media.Format.TryGetValue("cpresent", out var cpresent) && cpresent.Trim() != "0")
        {
            error = "MP4A-LATM with the config in band (cpresent=1) is not read";
            return false;
        }

        if (!media.Format.TryGetValue("config", out var hex))
        {
            error = "MP4A-LATM without a config";
            return false;
        }

        if (Mp4aLatm.TryParseConfig(hex, out config, out error))
        {
            return true;
        }

        // GStreamer's rtpmp4apay writes the encoder's whole AudioSpecificConfig (with its SBR sync
        // extension) and no frame length type. Read the 2-byte core config as ffmpeg does, and take the
        // payloads as frameLengthType 0 (PayloadLengthInfo before each frame), which is what they are.
        if (hex.Length is >= 8 and <= 2 * Mp4aLatm.MaxConfigLength && hex.Length % 2 == 0 && hex.All(Uri.IsHexDigit))
        {
            var bytes = Convert.FromHexString(hex);
            if (bytes[0] == 0x40 && (bytes[1] & 0xFE) == 0)
            {
                //  audioMuxVersion 0 | allStreamsSameTimeFraming 1 | numSubFrames 0 | numProgram 0 | numLayer 0 (15 bits) | ASC (16) | frameLengthType 0 (3) | latmBufferFullness 0xFF (8) | otherDataPresent 0 | crcCheckPresent 0
                var core = ((bytes[1] & 1) << 15) | (bytes[2] << 7) | (bytes[3] >> 1);
                var bits = (0x2000UL << 33) | ((ulong)core << 17) | (0xFFUL << 6);
                var rebuilt = new byte[6];
                for (var i = 0; i < 6; i++)
                {
                    rebuilt[i] = (byte)(bits >> (40 - (8 * i)));
                }

                if (Mp4aLatm.TryParseConfig(rebuilt, out config, out _))
                {
                    error = null;
                    return true;
                }
            }
        }

        return false;
    }

    private static int Parameter(MediaDescription media, string name, int fallback) =>
        media.Format.TryGetValue(name, out var value) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : fallback;

    private void PushLatm(in RtpHeader header, ReadOnlySpan<byte> payload)
    {
        _units.ResetWrittenCount();
        if (_latm!.Push(payload, header.SequenceNumber, header.Marker, _units) != RtpDepacketizeResult.Nals)
        {
            return;
        }

        // The timestamp is the first frame's; each further frame in the element is 1024 samples later.
        var start = Time(header.Timestamp);
        EmitAacFrames(_units.WrittenSpan, start);
    }

    //  AU-headers-length (16, in bits) | AU-header × n (AU-size 13 | AU-Index(-delta) 3) | padding to a byte | AU × n
    private void PushAac(ReadOnlySpan<byte> payload, uint timestamp)
    {
        if (_track is null || payload.Length < 2)
        {
            return;
        }

        const int IndexLength = 3;
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
            var size = BinaryPrimitives.ReadUInt16BigEndian(headers[i..]) >> IndexLength;
            if (size == 0 || size > data.Length)
            {
                return;
            }

            Emit(data[..size], start, i / 2);
            data = data[size..];
        }
    }

    private void EmitAacFrames(ReadOnlySpan<byte> frames, long start)
    {
        for (var index = 0; frames.Length >= 4; index++)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(frames);
            if (length <= 0 || length > frames.Length - 4)
            {
                return;
            }

            Emit(frames.Slice(4, length), start, index);
            frames = frames[(4 + length)..];
        }
    }

    private void Emit(ReadOnlySpan<byte> frame, long start, int index)
    {
        var pts = start + (index * 1024L * MediaClock.Hz / Math.Max(1, _track!.SampleRate));
        _onFrame(_track, MediaFrame.Copy(_track, frame, pts, pts, isKeyframe: false));
    }
}
