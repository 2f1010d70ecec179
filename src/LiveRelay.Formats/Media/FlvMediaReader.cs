using LiveRelay.Codecs.Aac;
using LiveRelay.Codecs.H264;
using LiveRelay.Core.Buffers;
using LiveRelay.Core.Media;
using LiveRelay.Formats.Flv;

namespace LiveRelay.Formats.Media;

/// <summary>What one FLV tag body turned into.</summary>
public enum FlvMediaResult
{
    /// <summary>Nothing to publish (end of sequence, a repeated header, or a problem).</summary>
    Ignored,

    /// <summary>A sequence header announced new codec parameters.</summary>
    TrackChanged,

    /// <summary>A media frame.</summary>
    Frame,
}

/// <summary>
/// The FLV side of ingest: turns FLV audio/video tag bodies (RTMP media messages, HTTP-FLV tags)
/// into tracks and frames of the media model, without copying payloads. One per publisher.
/// </summary>
public sealed class FlvMediaReader
{
    private const long Wrap = 1L << 32;

    private TrackInfo? _video;
    private TrackInfo? _audio;
    private long _lastTimestamp = -1;
    private long _epoch;

    /// <summary>The video track in force.</summary>
    public TrackInfo? Video => _video;

    /// <summary>The audio track in force.</summary>
    public TrackInfo? Audio => _audio;

    /// <summary>
    /// Reads one tag body. On <see cref="FlvMediaResult.Frame"/> the frame has taken over the
    /// caller's reference to <paramref name="body"/>; otherwise the caller still owns it.
    /// <paramref name="problem"/> explains an <see cref="FlvMediaResult.Ignored"/> that the publisher should hear about.
    /// </summary>
    public FlvMediaResult Read(FlvTagType type, MediaBuffer body, uint timestampMs, out MediaFrame? frame, out TrackInfo? track, out string? problem)
    {
        var timestamp = Unwrap(timestampMs);
        var outcome = body.Length == 0 ? default
            : type == FlvTagType.Video ? ReadVideo(body, timestamp)
            : type == FlvTagType.Audio ? ReadAudio(body, timestamp)
            : default;
        (frame, track, problem) = (outcome.Frame, outcome.Track, outcome.Problem);
        return outcome.Result;
    }

    private Outcome ReadVideo(MediaBuffer body, long timestampMs)
    {
        if (!FlvVideoHeader.TryParse(body.Span, out var header))
        {
            return Outcome.Ignore("a malformed video tag header");
        }

        var codec = header.Codec switch
        {
            FlvVideoCodec.Avc => CodecId.H264,
            FlvVideoCodec.Hevc => CodecId.H265,
            _ => CodecId.Unknown,
        };
        if (codec == CodecId.Unknown)
        {
            return Outcome.Ignore($"video codec {header.Codec} is not supported (H.264 and H.265 are)");
        }

        var payload = body.Span[header.HeaderLength..];
        switch (header.PacketType)
        {
            case FlvVideoPacketType.SequenceStart:
                string? problem = null;
                var next = codec == CodecId.H264 ? AvcTrack(payload, out problem) : HevcTrack(payload);
                if (next is null || next.HasSameConfig(_video))
                {
                    return Outcome.Ignore(problem);
                }

                _video = next;
                return Outcome.Changed(next);
            case FlvVideoPacketType.CodedFrames:
            case FlvVideoPacketType.CodedFramesX:
                if (_video is null || _video.Codec != codec)
                {
                    return Outcome.Ignore("video frames arrived before their sequence header");
                }

                if (payload.IsEmpty)
                {
                    return default;
                }

                var dts = MediaClock.FromMilliseconds(timestampMs);
                var pts = dts + MediaClock.FromMilliseconds(header.CompositionTimeMs);
                return Outcome.Of(MediaFrame.Create(_video, body, header.HeaderLength, payload.Length, dts, pts, header.FrameType == FlvFrameType.Keyframe));
            default:
                return default;
        }
    }

    private Outcome ReadAudio(MediaBuffer body, long timestampMs)
    {
        if (!FlvAudioHeader.TryParse(body.Span, out var header))
        {
            return Outcome.Ignore("a malformed audio tag header");
        }

        if (header.Format != FlvSoundFormat.Aac)
        {
            return Outcome.Ignore($"audio format {header.Format} is not supported (AAC is)");
        }

        var payload = body.Span[header.HeaderLength..];
        if (header.IsAacSequenceHeader)
        {
            if (!AudioSpecificConfig.TryParse(payload, out var asc))
            {
                return Outcome.Ignore("a malformed AAC AudioSpecificConfig");
            }

            var next = new TrackInfo
            {
                Kind = MediaKind.Audio,
                Codec = CodecId.Aac,
                CodecConfig = payload.ToArray(),
                SampleRate = asc.SampleRate,
                Channels = asc.ChannelConfiguration,
                CodecString = asc.CodecString,
            };
            if (next.HasSameConfig(_audio))
            {
                return default;
            }

            _audio = next;
            return Outcome.Changed(next);
        }

        if (_audio is null)
        {
            return Outcome.Ignore("AAC frames arrived before their sequence header");
        }

        if (payload.IsEmpty)
        {
            return default;
        }

        var dts = MediaClock.FromMilliseconds(timestampMs);
        return Outcome.Of(MediaFrame.Create(_audio, body, header.HeaderLength, payload.Length, dts, dts, false));
    }

    private static TrackInfo? AvcTrack(ReadOnlySpan<byte> record, out string? problem)
    {
        problem = null;
        if (!AvcDecoderConfiguration.TryParse(record, out var config) || config is null || config.Sps.Count == 0)
        {
            problem = "a malformed AVC sequence header";
            return null;
        }

        H264SpsInfo.TryParse(config.Sps[0].Span, out var sps);
        return new TrackInfo
        {
            Kind = MediaKind.Video,
            Codec = CodecId.H264,
            CodecConfig = record.ToArray(),
            Width = sps.Width,
            Height = sps.Height,
            CodecString = config.CodecString,
        };
    }

    private static TrackInfo HevcTrack(ReadOnlySpan<byte> record) => new()
    {
        Kind = MediaKind.Video,
        Codec = CodecId.H265,
        CodecConfig = record.ToArray(),
        CodecString = "hvc1",
    };

    /// <summary>One tag's result; <c>default</c> is a silent <see cref="FlvMediaResult.Ignored"/>.</summary>
    private readonly record struct Outcome(FlvMediaResult Result, MediaFrame? Frame, TrackInfo? Track, string? Problem)
    {
        public static Outcome Ignore(string? problem) => new(FlvMediaResult.Ignored, null, null, problem);

        public static Outcome Changed(TrackInfo track) => new(FlvMediaResult.TrackChanged, null, track, null);

        public static Outcome Of(MediaFrame frame) => new(FlvMediaResult.Frame, frame, null, null);
    }

    /// <summary>RTMP/FLV timestamps are 32-bit milliseconds; unfold the wrap after 49.7 days.</summary>
    private long Unwrap(uint timestamp)
    {
        var value = _epoch + timestamp;
        if (_lastTimestamp >= 0 && _lastTimestamp - value > Wrap / 2)
        {
            _epoch += Wrap;
            value += Wrap;
        }

        _lastTimestamp = value;
        return value;
    }
}
