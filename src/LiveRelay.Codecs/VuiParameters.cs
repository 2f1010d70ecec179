namespace LiveRelay.Codecs;

/// <summary>
/// The leading fields of vui_parameters(), the same syntax in H.264 (E.1.1) and H.265 (E.2.1); what follows
/// them (timing, HRD, bitstream restrictions) differs and stays with each codec's SPS parser.
/// </summary>
internal static class VuiParameters
{
    private const int ExtendedSar = 255;

    //  aspect_ratio_info_present_flag u(1)  [aspect_ratio_idc u(8) [sar_width u(16), sar_height u(16) if 255]]
    //  overscan_info_present_flag u(1)      [overscan_appropriate_flag u(1)]
    //  video_signal_type_present_flag u(1)  [video_format u(3), video_full_range_flag u(1),
    //                                        colour_description_present_flag u(1) [primaries, transfer, matrix u(8) x3]]
    //  chroma_loc_info_present_flag u(1)    [chroma_sample_loc_type_top_field, _bottom_field ue(v)]
    /// <summary>
    /// Skips the aspect ratio, overscan, video signal type and chroma location fields. A read past the end
    /// sets <see cref="BitReader.HasError"/>, for the caller to check.
    /// </summary>
    public static void SkipPictureDescription(ref BitReader reader)
    {
        if (reader.ReadFlag() && reader.ReadBits(8) == ExtendedSar)
        {
            reader.Skip(32); // sar_width, sar_height
        }

        if (reader.ReadFlag())
        {
            reader.Skip(1);
        }

        if (reader.ReadFlag())
        {
            reader.Skip(4);
            if (reader.ReadFlag())
            {
                reader.Skip(24);
            }
        }

        if (reader.ReadFlag())
        {
            reader.ReadUe();
            reader.ReadUe();
        }
    }
}
