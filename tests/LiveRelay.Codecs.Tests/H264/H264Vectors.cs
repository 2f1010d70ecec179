namespace LiveRelay.Codecs.Tests.H264;

/// <summary>
/// Parameter sets produced by ffmpeg 5.1 / libx264 at development time, e.g.
/// <c>ffmpeg -f lavfi -i testsrc2=size=1280x720:rate=25 -frames:v 1 -c:v libx264 -bsf:v h264_mp4toannexb -f h264 -</c>,
/// with the fields ffmpeg's <c>trace_headers</c> bitstream filter and ffprobe reported for them.
/// </summary>
internal static class H264Vectors
{
    /// <summary>High 3.1, 1280x720, 25 fps (contains emulation-prevention bytes).</summary>
    public static readonly byte[] Sps720High = Convert.FromHexString("6764001facd9405005bb011000000300100000030320f1831960");

    public static readonly byte[] Pps720High = Convert.FromHexString("68ebe3cb22c0");

    /// <summary>The avcC box ffmpeg wrote when remuxing that stream to MP4 (note the high-profile extension fdf8f800).</summary>
    public static readonly byte[] AvcC720High = Convert.FromHexString(
        "0164001fffe1001a6764001facd9405005bb011000000300100000030320f183196001000668ebe3cb22c0fdf8f800");

    /// <summary>Constrained baseline 3.0, 640x360, 30 fps (-profile:v baseline).</summary>
    public static readonly byte[] Sps360Baseline = Convert.FromHexString("6742c01ed900a02ff970110000030001000003003c0f162e48");

    public static readonly byte[] Pps360Baseline = Convert.FromHexString("68cb83cb20");

    /// <summary>The avcC box ffmpeg wrote for the baseline stream.</summary>
    public static readonly byte[] AvcC360Baseline = Convert.FromHexString(
        "0142c01effe100196742c01ed900a02ff970110000030001000003003c0f162e4801000568cb83cb20");

    /// <summary>High 4.0, coded 1920x1088 cropped to 1080 (frame_crop_bottom_offset 4), 30000/1001 fps.</summary>
    public static readonly byte[] Sps1080High = Convert.FromHexString("67640028acd940780227e5c04400000fa40003a9803c60c658");

    /// <summary>High 4.0 interlaced (frame_mbs_only_flag 0): 34 map units of 32 lines, crop_bottom 2 → 1080; 25 fps.</summary>
    public static readonly byte[] Sps1080Interlaced = Convert.FromHexString("67640028acd94078044fde0220000003002000000643e2c5b2c0");

    /// <summary>High 4:4:4 Predictive 3.0 (chroma_format_idc 3), 864 wide cropped right by 10 → 854x480, 24 fps.</summary>
    public static readonly byte[] Sps480High444 = Convert.FromHexString("67f4001e919b281b07bc5f80880000030008000003018078b16cb0");

    public static readonly byte[] Pps480High444 = Convert.FromHexString("68ebe3c44c000440");

    /// <summary>The avcC box ffmpeg wrote for the 4:4:4 stream (extension fff8f800: chroma_format 3).</summary>
    public static readonly byte[] AvcC480High444 = Convert.FromHexString(
        "01f4001effe1001b67f4001e919b281b07bc5f80880000030008000003018078b16cb001000868ebe3c44c000440fff8f800");

    /// <summary>High 1.0, 176x144 (no cropping), 15 fps.</summary>
    public static readonly byte[] Sps144High = Convert.FromHexString("6764000aacd942c4ec0440000003004000000783c4896580");
}
