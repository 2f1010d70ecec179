using LiveRelay.Core.Media;

namespace LiveRelay.Core.Tests.TestSupport;

internal static class Frames
{
    public static readonly TrackInfo Video = new() { Kind = MediaKind.Video, Codec = CodecId.H264, CodecConfig = new byte[] { 1, 2, 3 }, Width = 640, Height = 360 };

    public static readonly TrackInfo Audio = new() { Kind = MediaKind.Audio, Codec = CodecId.Aac, CodecConfig = new byte[] { 0x12, 0x10 }, SampleRate = 44100, Channels = 2 };

    /// <summary>A video frame at <paramref name="ms"/> milliseconds whose payload is its timestamp.</summary>
    public static MediaFrame VideoAt(long ms, bool key = false, int size = 100)
    {
        var payload = new byte[size];
        BitConverter.TryWriteBytes(payload, ms);
        return MediaFrame.Copy(Video, payload, MediaClock.FromMilliseconds(ms), MediaClock.FromMilliseconds(ms), key);
    }

    public static MediaFrame AudioAt(long ms, int size = 20) =>
        MediaFrame.Copy(Audio, new byte[size], MediaClock.FromMilliseconds(ms), MediaClock.FromMilliseconds(ms), false);

    public static List<MediaFrame> Drain(LiveRelay.Core.Streams.MediaReader reader)
    {
        var frames = new List<MediaFrame>();
        while (reader.TryRead(out var frame))
        {
            frames.Add(frame);
        }

        return frames;
    }

    public static long Ms(MediaFrame frame) => MediaClock.ToMilliseconds(frame.Dts);
}
