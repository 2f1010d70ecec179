using LiveRelay.Core.Media;

namespace LiveRelay.Protocols.Http.Tests;

/// <summary>Frames with real codec configuration (an ffmpeg 640x360 Baseline avcC, AAC LC 44.1 kHz stereo).</summary>
internal static class TestMedia
{
    public static readonly TrackInfo Video = new()
    {
        Kind = MediaKind.Video,
        Codec = CodecId.H264,
        CodecConfig = Convert.FromHexString("0142c01effe100196742c01ed900a02ff970110000030001000003003c0f162e4801000568cb83cb20"),
        Width = 640,
        Height = 360,
        CodecString = "avc1.42c01e",
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

    /// <summary>One slice NAL unit with a 4-byte length prefix.</summary>
    public static MediaFrame VideoAt(long ms, bool key, int size = 500, long compositionMs = 0)
    {
        var payload = new byte[size];
        new Random((int)ms).NextBytes(payload);
        var nal = size - 4;
        payload[0] = (byte)(nal >> 24);
        payload[1] = (byte)(nal >> 16);
        payload[2] = (byte)(nal >> 8);
        payload[3] = (byte)nal;
        payload[4] = key ? (byte)0x65 : (byte)0x41;
        return MediaFrame.Copy(Video, payload, MediaClock.FromMilliseconds(ms), MediaClock.FromMilliseconds(ms + compositionMs), key);
    }

    public static MediaFrame AudioAt(long ms) =>
        MediaFrame.Copy(Audio, new byte[200], MediaClock.FromMilliseconds(ms), MediaClock.FromMilliseconds(ms), false);
}
