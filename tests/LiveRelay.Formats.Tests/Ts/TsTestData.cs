using LiveRelay.Codecs.Aac;
using LiveRelay.Core.Media;

namespace LiveRelay.Formats.Tests.Ts;

/// <summary>Vectors and tracks for the TS tests.</summary>
internal static class TsTestData
{
    /// <summary>
    /// The PAT and PMT packets (filler trimmed) that ffmpeg 5.1 wrote for an H.264 + AAC program:
    /// <c>ffmpeg -f lavfi -i testsrc2 -f lavfi -i sine -t 0.2 -c:v libx264 -c:a aac -f mpegts out.ts</c>.
    /// </summary>
    public const string FfmpegPatPacket = "474000100000b00d0001c100000001f0002ab104b2";

    public const string FfmpegPmtPacket = "475000100002b0170001c10000e100f0001be100f0000fe101f0002f44b99b";

    /// <summary>libx264 High 3.1 1280x720 SPS and PPS, and the avcC ffmpeg made from them.</summary>
    public static readonly byte[] Sps = Convert.FromHexString("6764001facd9405005bb011000000300100000030320f1831960");

    public static readonly byte[] Pps = Convert.FromHexString("68ebe3cb22c0");

    public static readonly byte[] AvcC = Convert.FromHexString(
        "0164001fffe1001a6764001facd9405005bb011000000300100000030320f183196001000668ebe3cb22c0fdf8f800");

    /// <summary>libx264 constrained baseline 640x360 SPS and PPS.</summary>
    public static readonly byte[] BaselineSps = Convert.FromHexString("6742c01ed900a02ff970110000030001000003003c0f162e48");

    public static readonly byte[] BaselinePps = Convert.FromHexString("68cb83cb20");

    /// <summary>AAC LC, 48 kHz, stereo.</summary>
    public static readonly byte[] Asc = AudioSpecificConfig.Build(2, 48000, 2);

    public static TrackInfo VideoTrack(byte[]? config = null) => new()
    {
        Kind = MediaKind.Video,
        Codec = CodecId.H264,
        CodecConfig = config ?? AvcC,
        Width = 1280,
        Height = 720,
        CodecString = "avc1.64001f",
    };

    public static TrackInfo AudioTrack(byte[]? config = null) => new()
    {
        Kind = MediaKind.Audio,
        Codec = CodecId.Aac,
        CodecConfig = config ?? Asc,
        SampleRate = 48000,
        Channels = 2,
        CodecString = "mp4a.40.2",
    };

    /// <summary>An IDR slice NAL unit of <paramref name="length"/> bytes with a recognisable pattern.</summary>
    public static byte[] IdrSlice(int length) => Slice(0x65, length);

    public static byte[] NonIdrSlice(int length) => Slice(0x41, length);

    /// <summary>Length-prefixed (4-byte) access unit.</summary>
    public static byte[] Avcc(params byte[][] nals)
    {
        var result = new List<byte>();
        foreach (var nal in nals)
        {
            result.AddRange([(byte)(nal.Length >> 24), (byte)(nal.Length >> 16), (byte)(nal.Length >> 8), (byte)nal.Length]);
            result.AddRange(nal);
        }

        return [.. result];
    }

    /// <summary>Annex B with 4-byte start codes.</summary>
    public static byte[] AnnexB(params byte[][] nals)
    {
        var result = new List<byte>();
        foreach (var nal in nals)
        {
            result.AddRange([0, 0, 0, 1]);
            result.AddRange(nal);
        }

        return [.. result];
    }

    private static byte[] Slice(byte header, int length)
    {
        var nal = new byte[length];
        nal[0] = header;
        for (var i = 1; i < length; i++)
        {
            nal[i] = (byte)(i % 251 + 1); // never 00 00 0x
        }

        return nal;
    }
}
