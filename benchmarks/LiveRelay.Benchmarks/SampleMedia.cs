using LiveRelay.Core.Media;

namespace LiveRelay.Benchmarks;

/// <summary>Synthetic frames shaped like a 2.65 Mbit/s, 25 fps H.264 stream with 44.1 kHz AAC.</summary>
internal static class SampleMedia
{
    // ffmpeg's avcC for a 640x360 Baseline stream (from the codec tests' vectors).
    public static readonly byte[] AvcConfig = Convert.FromHexString(
        "0142c01effe100196742c01ed900a02ff970110000030001000003003c0f162e4801000568cb83cb20");

    public static readonly TrackInfo Video = new()
    {
        Kind = MediaKind.Video,
        Codec = CodecId.H264,
        CodecConfig = AvcConfig,
        Width = 640,
        Height = 360,
        CodecString = "avc1.64001e",
    };

    public static readonly TrackInfo Audio = new()
    {
        Kind = MediaKind.Audio,
        Codec = CodecId.Aac,
        CodecConfig = new byte[] { 0x12, 0x10 },
        SampleRate = 44100,
        Channels = 2,
        CodecString = "mp4a.40.2",
    };

    /// <summary>One length-prefixed access unit of <paramref name="size"/> bytes (a single non-IDR slice).</summary>
    public static byte[] VideoPayload(int size, bool keyframe)
    {
        var payload = new byte[size];
        new Random(size).NextBytes(payload);
        var nal = size - 4;
        payload[0] = (byte)(nal >> 24);
        payload[1] = (byte)(nal >> 16);
        payload[2] = (byte)(nal >> 8);
        payload[3] = (byte)nal;
        payload[4] = keyframe ? (byte)0x65 : (byte)0x41;
        return payload;
    }

    public static MediaFrame VideoFrame(long ms, int size = 13_000, bool keyframe = false) =>
        MediaFrame.Copy(Video, VideoPayload(size, keyframe), MediaClock.FromMilliseconds(ms), MediaClock.FromMilliseconds(ms + 80), keyframe);

    public static MediaFrame AudioFrame(long ms) =>
        MediaFrame.Copy(Audio, new byte[370], MediaClock.FromMilliseconds(ms), MediaClock.FromMilliseconds(ms), false);
}
