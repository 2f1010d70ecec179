using LiveRelay.Core.Media;
using LiveRelay.Formats.Amf;
using LiveRelay.Formats.Flv;

namespace LiveRelay.Formats.Media;

/// <summary>
/// The FLV side of egress: the tag body header of a frame, a track's sequence header body, and
/// onMetaData. Shared by RTMP play and HTTP-FLV, which differ only in framing.
/// </summary>
public static class FlvMediaWriter
{
    /// <summary>Longest body header <see cref="WriteBodyHeader"/> writes.</summary>
    public const int MaxBodyHeaderLength = 5;

    private static readonly EncodingSlot s_sequenceHeaderSlot = EncodingSlot.Allocate();

    /// <summary>Writes the FLV tag body header that precedes the frame's payload; returns its length.</summary>
    public static int WriteBodyHeader(MediaFrame frame, Span<byte> destination)
    {
        switch (frame.Track.Codec)
        {
            case CodecId.H264:
                return FlvVideoHeader.WriteAvc(destination, frame.IsKeyframe, sequenceHeader: false, CompositionTimeMs(frame));
            case CodecId.H265:
                return FlvVideoHeader.WriteHevc(destination, frame.IsKeyframe, sequenceHeader: false, CompositionTimeMs(frame));
            case CodecId.Aac:
                return FlvAudioHeader.WriteAacHeader(destination, sequenceHeader: false);
            case CodecId.G711A or CodecId.G711U:
                return FlvAudioHeader.WriteG711Header(destination, frame.Track.Codec == CodecId.G711A);
            default:
                throw new NotSupportedException($"{frame.Track.Codec} cannot be carried in FLV.");
        }
    }

    /// <summary>True when FLV can carry the track's codec.</summary>
    public static bool CanCarry(TrackInfo? track) => track?.Codec is CodecId.H264 or CodecId.H265 or CodecId.Aac or CodecId.G711A or CodecId.G711U;

    /// <summary>
    /// The sequence header tag body of a track (AVC/HEVC decoder configuration record, AAC
    /// AudioSpecificConfig), built once per track; empty when the track has no configuration.
    /// </summary>
    public static ReadOnlyMemory<byte> GetSequenceHeaderBody(TrackInfo track) =>
        track.GetOrCreate(s_sequenceHeaderSlot, static t => BuildSequenceHeaderBody(t));

    /// <summary>onMetaData for players: the publisher's values, then what the tracks say.</summary>
    public static AmfObject BuildMetadata(TrackInfo? video, TrackInfo? audio, IReadOnlyDictionary<string, object?> publisherMetadata)
    {
        var metadata = new AmfObject(isEcmaArray: true);
        foreach (var (key, value) in publisherMetadata)
        {
            if (key is not ("filesize" or "datasize"))
            {
                metadata[key] = value;
            }
        }

        // What the tracks say wins over what the publisher claimed (the indexer replaces in place).
        metadata["duration"] = 0.0;
        if (video is not null)
        {
            metadata["width"] = (double)video.Width;
            metadata["height"] = (double)video.Height;
            metadata["videocodecid"] = video.Codec == CodecId.H265 ? 12.0 : 7.0;
        }

        if (audio is not null)
        {
            metadata["audiocodecid"] = audio.Codec switch
            {
                CodecId.G711A => (double)FlvSoundFormat.G711A,
                CodecId.G711U => (double)FlvSoundFormat.G711U,
                _ => (double)FlvSoundFormat.Aac,
            };
            metadata["audiosamplerate"] = (double)audio.SampleRate;
            metadata["stereo"] = audio.Channels >= 2;
        }

        metadata["server"] = "LiveRelay";
        return metadata;
    }

    /// <summary>Publisher metadata as plain values (numbers, booleans, strings), at most 64 entries.</summary>
    public static IReadOnlyDictionary<string, object?> ToPlainValues(AmfObject data)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in data)
        {
            if (values.Count >= 64)
            {
                break;
            }

            if (value is double or bool or string)
            {
                values[key] = value is string s && s.Length > 256 ? s[..256] : value;
            }
        }

        return values;
    }

    private static int CompositionTimeMs(MediaFrame frame) => (int)MediaClock.ToMilliseconds(frame.CompositionOffset);

    private static byte[] BuildSequenceHeaderBody(TrackInfo track)
    {
        var config = track.CodecConfig.Span;
        if (config.IsEmpty)
        {
            return [];
        }

        var body = new byte[MaxBodyHeaderLength + config.Length];
        var header = track.Codec switch
        {
            CodecId.H264 => FlvVideoHeader.WriteAvc(body, keyframe: true, sequenceHeader: true, 0),
            CodecId.H265 => FlvVideoHeader.WriteHevc(body, keyframe: true, sequenceHeader: true, 0),
            CodecId.Aac => FlvAudioHeader.WriteAacHeader(body, sequenceHeader: true),
            _ => -1,
        };
        if (header < 0)
        {
            return [];
        }

        config.CopyTo(body.AsSpan(header));
        return body[..(header + config.Length)];
    }
}
