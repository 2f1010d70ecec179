namespace LiveRelay.Codecs.H265;

internal static partial class H265SpsParser
{
    private const int MaxCpbCount = 32;
    private const int MaxMinSpatialSegmentationIdc = 4095;

    //  vui_parameters(sps_max_sub_layers_minus1) (E.2.1):
    //  aspect_ratio_info_present_flag u(1)   [aspect_ratio_idc u(8) [sar_width u(16), sar_height u(16) if 255]]
    //  overscan_info_present_flag u(1)       [overscan_appropriate_flag u(1)]
    //  video_signal_type_present_flag u(1)   [video_format u(3), video_full_range_flag u(1),
    //                                         colour_description_present_flag u(1) [primaries, transfer, matrix u(8) x3]]
    //  chroma_loc_info_present_flag u(1)     [top, bottom ue(v)]
    //  neutral_chroma_indication_flag u(1), field_seq_flag u(1), frame_field_info_present_flag u(1)
    //  default_display_window_flag u(1)      [left, right, top, bottom offsets ue(v)]
    //  vui_timing_info_present_flag u(1)     [vui_num_units_in_tick u(32), vui_time_scale u(32),
    //                                         vui_poc_proportional_to_timing_flag u(1) [vui_num_ticks_poc_diff_one_minus1 ue(v)],
    //                                         vui_hrd_parameters_present_flag u(1) [hrd_parameters(1, sps_max_sub_layers_minus1)]]
    //  bitstream_restriction_flag u(1)       [tiles_fixed_structure_flag, motion_vectors_over_pic_boundaries_flag,
    //                                         restricted_ref_pic_lists_flag u(1), min_spatial_segmentation_idc ue(v),
    //                                         max_bytes_per_pic_denom, max_bits_per_min_cu_denom,
    //                                         log2_max_mv_length_horizontal, log2_max_mv_length_vertical ue(v)]
    private static bool TryParseVui(ref BitReader reader, int maxSubLayersMinus1, out double frameRate, out int minSpatialSegmentation)
    {
        frameRate = 0;
        minSpatialSegmentation = 0;
        VuiParameters.SkipPictureDescription(ref reader);
        reader.Skip(3);
        if (reader.ReadFlag())
        {
            for (var i = 0; i < 4; i++)
            {
                reader.ReadUe();
            }
        }

        if (reader.ReadFlag())
        {
            var unitsInTick = reader.ReadBits(32);
            var timeScale = reader.ReadBits(32);
            if (reader.ReadFlag())
            {
                reader.ReadUe();
            }

            if (reader.ReadFlag() && !SkipHrd(ref reader, maxSubLayersMinus1))
            {
                return false;
            }

            if (unitsInTick != 0 && timeScale != 0)
            {
                frameRate = (double)timeScale / unitsInTick;
            }
        }

        if (reader.ReadFlag())
        {
            reader.Skip(3);
            var idc = reader.ReadUe();
            if (idc > MaxMinSpatialSegmentationIdc)
            {
                return false;
            }

            minSpatialSegmentation = (int)idc;
            for (var i = 0; i < 4; i++)
            {
                reader.ReadUe();
            }
        }

        return !reader.HasError;
    }

    //  hrd_parameters(commonInfPresentFlag = 1, maxNumSubLayersMinus1) (E.2.2):
    //  nal_hrd_parameters_present_flag u(1), vcl_hrd_parameters_present_flag u(1)
    //  if either: sub_pic_hrd_params_present_flag u(1)
    //               [tick_divisor_minus2 u(8), du_cpb_removal_delay_increment_length_minus1 u(5),
    //                sub_pic_cpb_params_in_pic_timing_sei_flag u(1), dpb_output_delay_du_length_minus1 u(5)]
    //             bit_rate_scale u(4), cpb_size_scale u(4) [cpb_size_du_scale u(4) if sub_pic]
    //             initial_cpb_removal_delay_length_minus1, au_cpb_removal_delay_length_minus1,
    //             dpb_output_delay_length_minus1 u(5) each
    //  per sub-layer: fixed_pic_rate_general_flag u(1) [fixed_pic_rate_within_cvs_flag u(1) if 0; else inferred 1]
    //                 within_cvs ? elemental_duration_in_tc_minus1 ue(v) : low_delay_hrd_flag u(1)
    //                 [cpb_cnt_minus1 ue(v) if !low_delay]
    //                 sub_layer_hrd_parameters() for NAL, then for VCL: per CPB bit_rate_value_minus1,
    //                 cpb_size_value_minus1 ue(v) [cpb_size_du_value_minus1, bit_rate_du_value_minus1 ue(v)], cbr_flag u(1)
    private static bool SkipHrd(ref BitReader reader, int maxSubLayersMinus1)
    {
        var nal = reader.ReadFlag();
        var vcl = reader.ReadFlag();
        var subPicture = false;
        if (nal || vcl)
        {
            subPicture = reader.ReadFlag();
            if (subPicture)
            {
                reader.Skip(8 + 5 + 1 + 5);
            }

            reader.Skip(4 + 4);
            if (subPicture)
            {
                reader.Skip(4);
            }

            reader.Skip(5 + 5 + 5);
        }

        var parameterSets = (nal ? 1 : 0) + (vcl ? 1 : 0);
        for (var i = 0; i <= maxSubLayersMinus1 && !reader.HasError; i++)
        {
            var fixedWithinCvs = reader.ReadFlag() || reader.ReadFlag();
            var lowDelay = false;
            if (fixedWithinCvs)
            {
                reader.ReadUe();
            }
            else
            {
                lowDelay = reader.ReadFlag();
            }

            var cpbCount = 1L;
            if (!lowDelay)
            {
                cpbCount = reader.ReadUe() + 1L;
                if (cpbCount > MaxCpbCount)
                {
                    return false;
                }
            }

            for (var j = 0; j < parameterSets * cpbCount && !reader.HasError; j++)
            {
                reader.ReadUe();
                reader.ReadUe();
                if (subPicture)
                {
                    reader.ReadUe();
                    reader.ReadUe();
                }

                reader.Skip(1);
            }
        }

        return !reader.HasError;
    }
}
