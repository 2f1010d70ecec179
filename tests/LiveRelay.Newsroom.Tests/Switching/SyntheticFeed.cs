using System.Buffers.Binary;
using LiveRelay.Core.Media;
using LiveRelay.Core.Streams;

namespace LiveRelay.Newsroom.Tests.Switching;

/// <summary>
/// A publisher of made-up H.264-like video (25 fps, a keyframe every <c>gop</c> frames, PTS two frames after
/// DTS) and AAC-like audio (two frames per video frame) into a hub. Payloads name the feed and the frame.
/// </summary>
internal sealed class SyntheticFeed : IDisposable
{
    /// <summary>One video frame at 25 fps, 90 kHz.</summary>
    public const long FrameTicks = 3600;

    /// <summary>PTS − DTS of every video frame.</summary>
    public const long VideoCompositionOffset = 2 * FrameTicks;

    public const int Width = 320;

    public const int Height = 180;

    private readonly StreamHub _hub;
    private readonly long _startDts;
    private readonly int _gop;
    private StreamPublisher _publisher;

    public SyntheticFeed(StreamHub hub, string path, byte tag, long startDts, int gop = 5)
    {
        _hub = hub;
        Path = path;
        Tag = tag;
        _startDts = startDts;
        _gop = gop;
        Video = new TrackInfo
        {
            Kind = MediaKind.Video,
            Codec = CodecId.H264,
            CodecConfig = new byte[] { 0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x04, 0x67, 0x64, 0x00, tag },
            Width = Width,
            Height = Height,
            CodecString = "avc1.64001f",
        };
        Audio = new TrackInfo
        {
            Kind = MediaKind.Audio,
            Codec = CodecId.Aac,
            CodecConfig = new byte[] { 0x11, 0x90 },
            SampleRate = 48_000,
            Channels = 2,
            CodecString = "mp4a.40.2",
        };
        _publisher = Publish();
    }

    public string Path { get; }

    public byte Tag { get; }

    public TrackInfo Video { get; }

    public TrackInfo Audio { get; }

    /// <summary>The index of the next video frame.</summary>
    public int Index { get; private set; }

    /// <summary>True when the next <see cref="Step"/> sends a keyframe.</summary>
    public bool NextIsKeyframe => Index % _gop == 0;

    /// <summary>Sends video frame <see cref="Index"/> and the two audio frames that start with it.</summary>
    public void Step()
    {
        var dts = _startDts + Index * FrameTicks;
        _publisher.Write(MediaFrame.Copy(Video, Payload(MediaKind.Video, Index), dts, dts + VideoCompositionOffset, NextIsKeyframe));
        _publisher.Write(MediaFrame.Copy(Audio, Payload(MediaKind.Audio, 2 * Index), dts, dts, false));
        _publisher.Write(MediaFrame.Copy(Audio, Payload(MediaKind.Audio, (2 * Index) + 1), dts + (FrameTicks / 2), dts + (FrameTicks / 2), false));
        Index++;
    }

    /// <summary>The publisher leaves (the stream waits out the hub's reconnect grace).</summary>
    public void Unpublish() => _publisher.Dispose();

    /// <summary>Publishes again after <see cref="Unpublish"/>.</summary>
    public void Republish() => _publisher = Publish();

    public void Dispose() => _publisher.Dispose();

    /// <summary>The frame index carried in a payload made here.</summary>
    public static int IndexOf(ReadOnlySpan<byte> payload) => BinaryPrimitives.ReadInt32BigEndian(payload[2..]);

    private StreamPublisher Publish()
    {
        var status = _hub.TryPublish(Path, new PublisherInfo("test", "127.0.0.1:1935"), out var publisher);
        if (publisher is null)
        {
            throw new InvalidOperationException($"Could not publish {Path}: {status}.");
        }

        publisher.SetTrack(Video);
        publisher.SetTrack(Audio);
        return publisher;
    }

    private byte[] Payload(MediaKind kind, int index)
    {
        var payload = new byte[kind == MediaKind.Video ? 64 : 16];
        payload[0] = Tag;
        payload[1] = (byte)kind;
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(2), index);
        return payload;
    }
}
