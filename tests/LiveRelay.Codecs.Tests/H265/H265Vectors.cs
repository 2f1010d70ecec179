namespace LiveRelay.Codecs.Tests.H265;

/// <summary>
/// Parameter sets produced by ffmpeg 5.1 / libx265 3.5 at development time, e.g.
/// <c>ffmpeg -f lavfi -i testsrc2=size=640x360:rate=25 -t 1 -c:v libx265 -f hevc x.hevc</c>, and the
/// <c>hvcC</c> box ffmpeg wrote when remuxing the same stream with <c>-c copy -tag:v hvc1 x.mp4</c>.
/// The fields in the comments are what ffmpeg's <c>trace_headers</c> bitstream filter and ffprobe reported.
/// </summary>
internal static class H265Vectors
{
    /// <summary>Main, level 2.1 (63), 640x360, 25 fps; the PTL carries emulation-prevention bytes.</summary>
    public static readonly byte[] Vps360Main = Convert.FromHexString("40010c01ffff01600000030090000003000003003f959809");

    public static readonly byte[] Sps360Main = Convert.FromHexString(
        "42010101600000030090000003000003003fa00502016965959a4932bc05a02000000300200000030321");

    public static readonly byte[] Pps360Main = Convert.FromHexString("4401c172b46240");

    public static readonly byte[] HvcC360Main = Convert.FromHexString(
        "0101600000009000000000003ff000fcfdf8f800000f03"
        + "a00001001840010c01ffff01600000030090000003000003003f959809"
        + "a10001002a42010101600000030090000003000003003fa00502016965959a4932bc05a02000000300200000030321"
        + "a2000100074401c172b46240");

    /// <summary>Main 10, level 2 (60), coded 320x184 with conf_win_bottom_offset 2 → 320x180 (-pix_fmt yuv420p10le).</summary>
    public static readonly byte[] Vps180Main10 = Convert.FromHexString("40010c01ffff02200000030090000003000003003c959809");

    public static readonly byte[] Sps180Main10 = Convert.FromHexString(
        "42010102200000030090000003000003003ca00a080b9f6d96566924caf0168080000003008000000c84");

    public static readonly byte[] Pps180Main10 = Convert.FromHexString("4401c172b46240");

    public static readonly byte[] HvcC180Main10 = Convert.FromHexString(
        "0102200000009000000000003cf000fcfdfafa00000f03"
        + "a00001001840010c01ffff02200000030090000003000003003c959809"
        + "a10001002a42010102200000030090000003000003003ca00a080b9f6d96566924caf0168080000003008000000c84"
        + "a2000100074401c172b46240");

    /// <summary>Format range extensions (profile 4), 4:4:4 8-bit, level 2, 320x240 (-pix_fmt yuv444p).</summary>
    public static readonly byte[] Vps240Rext444 = Convert.FromHexString("40010c01ffff0408000003009e0800000300003c959809");

    public static readonly byte[] Sps240Rext444 = Convert.FromHexString(
        "4201010408000003009e0800000300003c90014101e2cb2b349265780b4040000003004000000642");

    public static readonly byte[] Pps240Rext444 = Convert.FromHexString("4401c172860c4624");

    public static readonly byte[] HvcC240Rext444 = Convert.FromHexString(
        "0104080000009e08000000003cf000fcfff8f800000f03"
        + "a00001001740010c01ffff0408000003009e0800000300003c959809"
        + "a1000100284201010408000003009e0800000300003c90014101e2cb2b349265780b4040000003004000000642"
        + "a2000100084401c172860c4624");

    /// <summary>
    /// Main, level 2, 352x288 with two temporal sub-layers (-x265-params temporal-layers=1):
    /// sps_max_sub_layers_minus1 1, sub-layer profile/level flags 0, seven reserved 2-bit fields,
    /// sps_temporal_id_nesting_flag 0. The record says numTemporalLayers 2, temporalIdNested 0.
    /// </summary>
    public static readonly byte[] Vps288SubLayers = Convert.FromHexString("40010c02ffff01600000030090000003000003003c00009594aca048");

    public static readonly byte[] Sps288SubLayers = Convert.FromHexString(
        "42010201600000030090000003000003003c0000a00b080485965652b2c9265780b4040000030004000003006420");

    public static readonly byte[] Pps288SubLayers = Convert.FromHexString("4401c172b46240");

    public static readonly byte[] HvcC288SubLayers = Convert.FromHexString(
        "0101600000009000000000003cf000fcfdf8f800001303"
        + "a00001001c40010c02ffff01600000030090000003000003003c00009594aca048"
        + "a10001002e42010201600000030090000003000003003c0000a00b080485965652b2c9265780b4040000030004000003006420"
        + "a2000100074401c172b46240");

    /// <summary>Main, level 4 (120), 1920x1080, 25 fps, with NAL HRD parameters in the VUI (-x265-params hrd=1:vbv-...).</summary>
    public static readonly byte[] Vps1080Hrd = Convert.FromHexString("40010c01ffff016000000300900000030000030078959809");

    public static readonly byte[] Sps1080Hrd = Convert.FromHexString(
        "420101016000000300900000030000030078a003c08010e596566924caf0168080000003008000000cb00e682f0007a12000f42440");

    public static readonly byte[] Pps1080Hrd = Convert.FromHexString("4401c172b46240");

    public static readonly byte[] HvcC1080Hrd = Convert.FromHexString(
        "01016000000090000000000078f000fcfdf8f800000f03"
        + "a00001001840010c01ffff016000000300900000030000030078959809"
        + "a100010035420101016000000300900000030000030078a003c08010e596566924caf0168080000003008000000cb00e682f0007a12000f42440"
        + "a2000100074401c172b46240");

    public static byte[] Get(string name) => (byte[])typeof(H265Vectors).GetField(name)!.GetValue(null)!;
}
