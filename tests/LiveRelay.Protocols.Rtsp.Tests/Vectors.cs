namespace LiveRelay.Protocols.Rtsp.Tests;

/// <summary>
/// Parameter sets produced by ffmpeg 5.1 with libx264 and libx265 3.5, and the avcC/hvcC records ffmpeg
/// wrote when remuxing the same streams to MP4 (copied from LiveRelay.Codecs.Tests' H264Vectors and H265Vectors).
/// </summary>
internal static class Vectors
{
    /// <summary>H.264 constrained baseline 3.0, 640x360, 30 fps.</summary>
    public static readonly byte[] Sps360Baseline = Convert.FromHexString("6742c01ed900a02ff970110000030001000003003c0f162e48");

    public static readonly byte[] Pps360Baseline = Convert.FromHexString("68cb83cb20");

    public static readonly byte[] AvcC360Baseline = Convert.FromHexString(
        "0142c01effe100196742c01ed900a02ff970110000030001000003003c0f162e4801000568cb83cb20");

    /// <summary>H.264 High 3.1, 1280x720, 25 fps.</summary>
    public static readonly byte[] Sps720High = Convert.FromHexString("6764001facd9405005bb011000000300100000030320f1831960");

    public static readonly byte[] Pps720High = Convert.FromHexString("68ebe3cb22c0");

    public static readonly byte[] AvcC720High = Convert.FromHexString(
        "0164001fffe1001a6764001facd9405005bb011000000300100000030320f183196001000668ebe3cb22c0fdf8f800");

    /// <summary>H.265 Main, level 2.1, 640x360, 25 fps.</summary>
    public static readonly byte[] Vps360Main = Convert.FromHexString("40010c01ffff01600000030090000003000003003f959809");

    public static readonly byte[] Sps360Main = Convert.FromHexString(
        "42010101600000030090000003000003003fa00502016965959a4932bc05a02000000300200000030321");

    public static readonly byte[] Pps360Main = Convert.FromHexString("4401c172b46240");

    public static readonly byte[] HvcC360Main = Convert.FromHexString(
        "0101600000009000000000003ff000fcfdf8f800000f03"
        + "a00001001840010c01ffff01600000030090000003000003003f959809"
        + "a10001002a42010101600000030090000003000003003fa00502016965959a4932bc05a02000000300200000030321"
        + "a2000100074401c172b46240");
}
