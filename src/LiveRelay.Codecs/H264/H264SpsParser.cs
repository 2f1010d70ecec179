namespace LiveRelay.Codecs.H264;

/// <summary>Every SPS field the codecs layer uses; <see cref="H264SpsInfo"/> is the public face.</summary>
internal readonly record struct H264SpsFields(
    int ProfileIdc,
    int ConstraintFlags,
    int LevelIdc,
    int ChromaFormatIdc,
    int BitDepthLuma,
    int BitDepthChroma,
    int Width,
    int Height,
    double FrameRate);

/// <summary>
/// Parses seq_parameter_set_rbsp() (ITU-T H.264 7.3.2.1.1) including the VUI (E.1.1) up to the
/// rbsp_stop_one_bit, so a truncated SPS is always rejected.
/// </summary>
internal static class H264SpsParser
{
    // Limits from the spec's semantics (7.4.2.1.1, E.2.1).
    private const int MaxSpsId = 31;
    private const int MaxChromaFormatIdc = 3;
    private const int MaxBitDepthMinus8 = 6;
    private const int MaxLog2Minus4 = 12;
    private const int MaxPocType = 2;
    private const int MaxRefFramesInPocCycle = 255;
    private const int MaxCpbCount = 32;
    private const int MaxDimension = 32_768;

    //  nal_unit_header      forbidden_zero_bit f(1) | nal_ref_idc u(2) | nal_unit_type u(5) = 7
    //  profile_idc          u(8)
    //  constraint_set0..5   u(1) x6, reserved_zero_2bits u(2)
    //  level_idc            u(8)
    //  seq_parameter_set_id ue(v)
    //  if high profile:     chroma_format_idc ue(v)
    //                       [separate_colour_plane_flag u(1) if chroma_format_idc == 3]
    //                       bit_depth_luma_minus8 ue(v), bit_depth_chroma_minus8 ue(v)
    //                       qpprime_y_zero_transform_bypass_flag u(1)
    //                       seq_scaling_matrix_present_flag u(1) [scaling lists: 8, or 12 for 4:4:4]
    //  log2_max_frame_num_minus4 ue(v)
    //  pic_order_cnt_type   ue(v) [0: log2_max_pic_order_cnt_lsb_minus4 ue(v)
    //                              1: delta_pic_order_always_zero_flag u(1), offset_for_non_ref_pic se(v),
    //                                 offset_for_top_to_bottom_field se(v),
    //                                 num_ref_frames_in_pic_order_cnt_cycle ue(v), offset_for_ref_frame[] se(v)]
    //  max_num_ref_frames ue(v), gaps_in_frame_num_value_allowed_flag u(1)
    //  pic_width_in_mbs_minus1 ue(v), pic_height_in_map_units_minus1 ue(v)
    //  frame_mbs_only_flag u(1) [mb_adaptive_frame_field_flag u(1) if 0]
    //  direct_8x8_inference_flag u(1)
    //  frame_cropping_flag u(1) [left, right, top, bottom offsets ue(v)]
    //  vui_parameters_present_flag u(1) [vui_parameters()]
    //  rbsp_trailing_bits: rbsp_stop_one_bit f(1) = 1, alignment zero bits
    public static bool TryParse(ReadOnlySpan<byte> nalUnit, out H264SpsFields sps)
    {
        sps = default;
        if (nalUnit.Length < 4 || (nalUnit[0] & 0x80) != 0 || H264Nal.GetNalType(nalUnit[0]) != H264NalType.Sps)
        {
            return false;
        }

        var reader = new BitReader(nalUnit[1..], removeEmulationPrevention: true);
        var profileIdc = (int)reader.ReadBits(8);
        var constraintFlags = (int)reader.ReadBits(8);
        var levelIdc = (int)reader.ReadBits(8);
        if (reader.ReadUe() > MaxSpsId)
        {
            return false;
        }

        var chromaFormatIdc = 1;
        var separateColourPlane = false;
        var bitDepthLuma = 8;
        var bitDepthChroma = 8;
        if (HasChromaInfo(profileIdc))
        {
            var chroma = reader.ReadUe();
            if (chroma > MaxChromaFormatIdc)
            {
                return false;
            }

            chromaFormatIdc = (int)chroma;

            if (chromaFormatIdc == 3)
            {
                separateColourPlane = reader.ReadFlag();
            }

            var lumaMinus8 = reader.ReadUe();
            var chromaMinus8 = reader.ReadUe();
            if (lumaMinus8 > MaxBitDepthMinus8 || chromaMinus8 > MaxBitDepthMinus8)
            {
                return false;
            }

            bitDepthLuma = 8 + (int)lumaMinus8;
            bitDepthChroma = 8 + (int)chromaMinus8;
            reader.Skip(1); // qpprime_y_zero_transform_bypass_flag
            if (reader.ReadFlag() && !SkipScalingMatrix(ref reader, chromaFormatIdc == 3 ? 12 : 8))
            {
                return false;
            }
        }

        if (reader.ReadUe() > MaxLog2Minus4 || !SkipPicOrderCount(ref reader))
        {
            return false;
        }

        reader.ReadUe(); // max_num_ref_frames
        reader.Skip(1); // gaps_in_frame_num_value_allowed_flag
        long widthInMbs = reader.ReadUe() + 1L;
        long heightInMapUnits = reader.ReadUe() + 1L;
        var frameMbsOnly = reader.ReadFlag();
        if (!frameMbsOnly)
        {
            reader.Skip(1); // mb_adaptive_frame_field_flag
        }

        reader.Skip(1); // direct_8x8_inference_flag
        long cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
        if (reader.ReadFlag())
        {
            cropLeft = reader.ReadUe();
            cropRight = reader.ReadUe();
            cropTop = reader.ReadUe();
            cropBottom = reader.ReadUe();
        }

        double frameRate = 0;
        if (reader.ReadFlag() && !TryParseVui(ref reader, out frameRate))
        {
            return false;
        }

        if (reader.ReadBit() != 1 || reader.HasError)
        {
            return false; // rbsp_stop_one_bit missing: truncated or misparsed.
        }

        // 7.4.2.1.1: ChromaArrayType, CropUnitX/Y and the cropped frame size.
        var chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
        var fieldFactor = frameMbsOnly ? 1 : 2;
        var subWidthC = chromaArrayType == 3 ? 1 : 2;
        var subHeightC = chromaArrayType == 1 ? 2 : 1;
        var cropUnitX = chromaArrayType == 0 ? 1 : subWidthC;
        var cropUnitY = chromaArrayType == 0 ? fieldFactor : subHeightC * fieldFactor;
        var width = widthInMbs * 16 - cropUnitX * (cropLeft + cropRight);
        var height = fieldFactor * heightInMapUnits * 16 - cropUnitY * (cropTop + cropBottom);
        if (width <= 0 || height <= 0 || width > MaxDimension || height > MaxDimension)
        {
            return false;
        }

        sps = new H264SpsFields(profileIdc, constraintFlags, levelIdc, chromaFormatIdc, bitDepthLuma, bitDepthChroma, (int)width, (int)height, frameRate);
        return true;
    }

    /// <summary>Profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices.</summary>
    private static bool HasChromaInfo(int profileIdc) =>
        profileIdc is 100 or 110 or 122 or 244 or 44 or 83 or 86 or 118 or 128 or 138 or 139 or 134 or 135;

    // scaling_list(sizeOfScalingList): delta_scale se(v) per coefficient until nextScale is 0.
    private static bool SkipScalingMatrix(ref BitReader reader, int listCount)
    {
        for (var i = 0; i < listCount && !reader.HasError; i++)
        {
            if (!reader.ReadFlag())
            {
                continue; // seq_scaling_list_present_flag[i] = 0: fall-back rule.
            }

            var size = i < 6 ? 16 : 64;
            int lastScale = 8, nextScale = 8;
            for (var j = 0; j < size && !reader.HasError; j++)
            {
                if (nextScale != 0)
                {
                    var delta = reader.ReadSe();
                    if (delta is < -128 or > 127)
                    {
                        return false;
                    }

                    nextScale = (lastScale + delta + 256) % 256;
                }

                lastScale = nextScale == 0 ? lastScale : nextScale;
            }
        }

        return !reader.HasError;
    }

    private static bool SkipPicOrderCount(ref BitReader reader)
    {
        var pocType = reader.ReadUe();
        switch (pocType)
        {
            case 0:
                return reader.ReadUe() <= MaxLog2Minus4; // log2_max_pic_order_cnt_lsb_minus4
            case 1:
                reader.Skip(1); // delta_pic_order_always_zero_flag
                reader.ReadSe(); // offset_for_non_ref_pic
                reader.ReadSe(); // offset_for_top_to_bottom_field
                var cycle = reader.ReadUe();
                if (cycle > MaxRefFramesInPocCycle)
                {
                    return false;
                }

                for (var i = 0u; i < cycle && !reader.HasError; i++)
                {
                    reader.ReadSe(); // offset_for_ref_frame[i]
                }

                return true;
            default:
                return pocType <= MaxPocType;
        }
    }

    //  aspect_ratio_info_present_flag u(1)  [aspect_ratio_idc u(8) [sar_width u(16), sar_height u(16) if 255]]
    //  overscan_info_present_flag u(1)      [overscan_appropriate_flag u(1)]
    //  video_signal_type_present_flag u(1)  [video_format u(3), video_full_range_flag u(1),
    //                                        colour_description_present_flag u(1) [primaries, transfer, matrix u(8) x3]]
    //  chroma_loc_info_present_flag u(1)    [top, bottom ue(v)]
    //  timing_info_present_flag u(1)        [num_units_in_tick u(32), time_scale u(32), fixed_frame_rate_flag u(1)]
    //  nal_hrd_parameters_present_flag u(1) [hrd_parameters()]
    //  vcl_hrd_parameters_present_flag u(1) [hrd_parameters()]
    //  [low_delay_hrd_flag u(1) if either HRD present]
    //  pic_struct_present_flag u(1)
    //  bitstream_restriction_flag u(1)      [motion_vectors_over_pic_boundaries_flag u(1), six ue(v)]
    private static bool TryParseVui(ref BitReader reader, out double frameRate)
    {
        frameRate = 0;
        VuiParameters.SkipPictureDescription(ref reader);
        if (reader.ReadFlag())
        {
            var unitsInTick = reader.ReadBits(32);
            var timeScale = reader.ReadBits(32);
            reader.Skip(1); // fixed_frame_rate_flag
            if (unitsInTick != 0 && timeScale != 0)
            {
                frameRate = timeScale / (2.0 * unitsInTick);
            }
        }

        var nalHrd = reader.ReadFlag();
        if (nalHrd && !SkipHrd(ref reader))
        {
            return false;
        }

        var vclHrd = reader.ReadFlag();
        if (vclHrd && !SkipHrd(ref reader))
        {
            return false;
        }

        if (nalHrd || vclHrd)
        {
            reader.Skip(1); // low_delay_hrd_flag
        }

        reader.Skip(1); // pic_struct_present_flag
        if (reader.ReadFlag())
        {
            reader.Skip(1);
            for (var i = 0; i < 6; i++)
            {
                reader.ReadUe();
            }
        }

        return !reader.HasError;
    }

    //  cpb_cnt_minus1 ue(v), bit_rate_scale u(4), cpb_size_scale u(4)
    //  per CPB: bit_rate_value_minus1 ue(v), cpb_size_value_minus1 ue(v), cbr_flag u(1)
    //  initial_cpb_removal_delay_length_minus1, cpb_removal_delay_length_minus1,
    //  dpb_output_delay_length_minus1, time_offset_length: u(5) each
    private static bool SkipHrd(ref BitReader reader)
    {
        var cpbCount = reader.ReadUe() + 1L;
        if (cpbCount > MaxCpbCount)
        {
            return false;
        }

        reader.Skip(8);
        for (var i = 0; i < cpbCount && !reader.HasError; i++)
        {
            reader.ReadUe();
            reader.ReadUe();
            reader.Skip(1);
        }

        reader.Skip(20);
        return !reader.HasError;
    }
}
