using LiveRelay.Core.Media;

namespace LiveRelay.Formats.Tests.Ts;

/// <summary>H.265 vectors and tracks for the TS tests.</summary>
internal static class TsHevcTestData
{
    /// <summary>
    /// libx265 Main 2.1 640x360 parameter sets (<c>ffmpeg -f lavfi -i testsrc2=size=640x360:rate=25 -c:v libx265 -f hevc</c>)
    /// and the <c>hvcC</c> ffmpeg wrote for them (<c>-c copy -tag:v hvc1 out.mp4</c>).
    /// </summary>
    public static readonly byte[] Vps = Convert.FromHexString("40010c01ffff01600000030090000003000003003f959809");

    public static readonly byte[] Sps = Convert.FromHexString(
        "42010101600000030090000003000003003fa00502016965959a4932bc05a02000000300200000030321");

    public static readonly byte[] Pps = Convert.FromHexString("4401c172b46240");

    public static readonly byte[] HvcC = Convert.FromHexString(
        "0101600000009000000000003ff000fcfdf8f800000f03"
        + "a00001001840010c01ffff01600000030090000003000003003f959809"
        + "a10001002a42010101600000030090000003000003003fa00502016965959a4932bc05a02000000300200000030321"
        + "a2000100074401c172b46240");

    /// <summary>The HEVC access unit delimiter the muxer writes: type 35, pic_type 2.</summary>
    public static readonly byte[] Aud = [0x46, 0x01, 0x50];

    public static TrackInfo VideoTrack(byte[]? config = null) => new()
    {
        Kind = MediaKind.Video,
        Codec = CodecId.H265,
        CodecConfig = config ?? HvcC,
        Width = 640,
        Height = 360,
        CodecString = "hvc1.1.6.L63.90",
    };

    /// <summary>An IDR_W_RADL slice NAL unit of <paramref name="length"/> bytes.</summary>
    public static byte[] IdrSlice(int length) => Slice(19, length);

    /// <summary>A CRA slice NAL unit (an IRAP that is not an IDR).</summary>
    public static byte[] CraSlice(int length) => Slice(21, length);

    /// <summary>A TRAIL_R slice NAL unit.</summary>
    public static byte[] TrailSlice(int length) => Slice(1, length);

    /// <summary>A prefix SEI NAL unit.</summary>
    public static byte[] Sei(int length) => Slice(39, length);

    private static byte[] Slice(int type, int length)
    {
        var nal = new byte[length];
        nal[0] = (byte)(type << 1);
        nal[1] = 0x01; // nuh_layer_id 0, nuh_temporal_id_plus1 1
        for (var i = 2; i < length; i++)
        {
            nal[i] = (byte)(i % 251 + 1); // never 00 00 0x
        }

        return nal;
    }
}
