namespace LiveRelay.Codecs.H265;

/// <summary>Every SPS field the codecs layer uses; <see cref="H265SpsInfo"/> is the public face.</summary>
internal readonly record struct H265SpsFields(
    H265ProfileTierLevel ProfileTierLevel,
    int MaxSubLayers,
    bool TemporalIdNesting,
    int ChromaFormatIdc,
    int BitDepthLuma,
    int BitDepthChroma,
    int Width,
    int Height,
    double FrameRate,
    int MinSpatialSegmentationIdc);

/// <summary>
/// Parses seq_parameter_set_rbsp() (ITU-T H.265 7.3.2.2.1) of the base layer, including the
/// short-term reference picture sets (7.3.7), the VUI (E.2.1) and the range and multilayer extensions,
/// up to the rbsp_stop_one_bit, so a truncated SPS is rejected.
/// </summary>
internal static partial class H265SpsParser
{
    // Limits from the spec's semantics (7.4.3.2.1, A.4.2).
    private const int MaxSubLayersMinus1 = 6;
    private const int MaxSpsId = 15;
    private const int MaxChromaFormatIdc = 3;
    private const int MaxBitDepthMinus8 = 8;
    private const int MaxLog2PocLsbMinus4 = 12;
    private const int MaxDpbSize = 16;
    private const int MaxCtbLog2 = 6;
    private const int MaxTransformLog2 = 5;
    private const int MaxShortTermRefPicSets = 64;
    private const int MaxLongTermRefPicsSps = 32;
    private const int MaxDimension = 32_768;

    //  nal_unit_header                 forbidden_zero_bit f(1) | nal_unit_type u(6) = 33 | nuh_layer_id u(6) = 0
    //                                  | nuh_temporal_id_plus1 u(3) = 1
    //  sps_video_parameter_set_id u(4) | sps_max_sub_layers_minus1 u(3) | sps_temporal_id_nesting_flag u(1)
    //  profile_tier_level(1, sps_max_sub_layers_minus1)
    //  sps_seq_parameter_set_id ue(v)
    //  chroma_format_idc ue(v)          [separate_colour_plane_flag u(1) if 3]
    //  pic_width_in_luma_samples ue(v), pic_height_in_luma_samples ue(v)
    //  conformance_window_flag u(1)     [conf_win_left/right/top/bottom_offset ue(v)]
    //  bit_depth_luma_minus8 ue(v), bit_depth_chroma_minus8 ue(v), log2_max_pic_order_cnt_lsb_minus4 ue(v)
    //  sps_sub_layer_ordering_info_present_flag u(1)
    //    [sps_max_dec_pic_buffering_minus1, sps_max_num_reorder_pics, sps_max_latency_increase_plus1 ue(v)] per sub-layer
    //  log2_min_luma_coding_block_size_minus3, log2_diff_max_min_luma_coding_block_size ue(v)
    //  log2_min_luma_transform_block_size_minus2, log2_diff_max_min_luma_transform_block_size ue(v)
    //  max_transform_hierarchy_depth_inter, max_transform_hierarchy_depth_intra ue(v)
    //  scaling_list_enabled_flag u(1)   [sps_scaling_list_data_present_flag u(1) [scaling_list_data()]]
    //  amp_enabled_flag u(1), sample_adaptive_offset_enabled_flag u(1)
    //  pcm_enabled_flag u(1)            [pcm bit depths u(4) x2, log2 sizes ue(v) x2, pcm_loop_filter_disabled_flag u(1)]
    //  num_short_term_ref_pic_sets ue(v) [st_ref_pic_set(i) each]
    //  long_term_ref_pics_present_flag u(1) [num_long_term_ref_pics_sps ue(v) [lt_ref_pic_poc_lsb_sps u(v), used_by_curr_pic_lt_sps_flag u(1)]]
    //  sps_temporal_mvp_enabled_flag u(1), strong_intra_smoothing_enabled_flag u(1)
    //  vui_parameters_present_flag u(1) [vui_parameters()]
    //  sps_extension_present_flag u(1)  [range, multilayer, 3d, scc flags u(1) x4, sps_extension_4bits u(4), extensions]
    //  rbsp_trailing_bits: rbsp_stop_one_bit f(1) = 1, alignment zero bits
    public static bool TryParse(ReadOnlySpan<byte> nalUnit, out H265SpsFields sps)
    {
        sps = default;
        if (nalUnit.Length < 3 || (nalUnit[0] & 0x80) != 0 || H265Nal.GetNalType(nalUnit[0]) != H265NalType.Sps
            || ((nalUnit[0] & 0x01) << 5 | nalUnit[1] >> 3) != 0 || (nalUnit[1] & 0x07) != 1)
        {
            return false; // not an SPS of the base layer with TemporalId 0
        }

        // The header bytes are never zero, so no emulation prevention sequence straddles them.
        var reader = new BitReader(nalUnit[2..], removeEmulationPrevention: true);
        reader.Skip(4); // sps_video_parameter_set_id
        var maxSubLayersMinus1 = (int)reader.ReadBits(3);
        var temporalIdNesting = reader.ReadFlag();
        if (maxSubLayersMinus1 > MaxSubLayersMinus1)
        {
            return false;
        }

        var profileTierLevel = H265ProfileTierLevel.Read(ref reader);
        SkipSubLayerProfileTierLevels(ref reader, maxSubLayersMinus1);
        if (reader.ReadUe() > MaxSpsId)
        {
            return false;
        }

        var chroma = reader.ReadUe();
        if (chroma > MaxChromaFormatIdc)
        {
            return false;
        }

        var chromaFormatIdc = (int)chroma;
        var separateColourPlane = chromaFormatIdc == 3 && reader.ReadFlag();
        long codedWidth = reader.ReadUe();
        long codedHeight = reader.ReadUe();
        long cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
        if (reader.ReadFlag())
        {
            cropLeft = reader.ReadUe();
            cropRight = reader.ReadUe();
            cropTop = reader.ReadUe();
            cropBottom = reader.ReadUe();
        }

        var lumaMinus8 = reader.ReadUe();
        var chromaMinus8 = reader.ReadUe();
        var log2PocLsbMinus4 = reader.ReadUe();
        if (lumaMinus8 > MaxBitDepthMinus8 || chromaMinus8 > MaxBitDepthMinus8 || log2PocLsbMinus4 > MaxLog2PocLsbMinus4)
        {
            return false;
        }

        var bitDepthLuma = 8 + (int)lumaMinus8;
        var bitDepthChroma = 8 + (int)chromaMinus8;
        if (!SkipSubLayerOrdering(ref reader, maxSubLayersMinus1)
            || !TryReadBlockSizes(ref reader, out var minCbLog2)
            || !SkipCodingTools(ref reader, bitDepthLuma, bitDepthChroma))
        {
            return false;
        }

        var shortTermSets = reader.ReadUe();
        if (shortTermSets > MaxShortTermRefPicSets || !SkipShortTermRefPicSets(ref reader, (int)shortTermSets))
        {
            return false;
        }

        if (reader.ReadFlag())
        {
            var longTermPics = reader.ReadUe();
            if (longTermPics > MaxLongTermRefPicsSps)
            {
                return false;
            }

            for (var i = 0; i < longTermPics && !reader.HasError; i++)
            {
                reader.Skip((int)log2PocLsbMinus4 + 4 + 1); // lt_ref_pic_poc_lsb_sps, used_by_curr_pic_lt_sps_flag
            }
        }

        reader.Skip(2); // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
        double frameRate = 0;
        var minSpatialSegmentation = 0;
        if (reader.ReadFlag() && !TryParseVui(ref reader, maxSubLayersMinus1, out frameRate, out minSpatialSegmentation))
        {
            return false;
        }

        if (!TrySkipExtensions(ref reader, out var opaqueExtension))
        {
            return false;
        }

        // With 3D, SCC or future extension data present, the stop bit cannot be located without
        // walking syntax the relay does not need; everything it does need has been read by then.
        if ((!opaqueExtension && reader.ReadBit() != 1) || reader.HasError)
        {
            return false; // rbsp_stop_one_bit missing: truncated or misparsed.
        }

        // 6.2 table 6-1 and 7.4.3.2.1: SubWidthC, SubHeightC and the conformance cropping window.
        var minCbSize = 1L << minCbLog2;
        if (codedWidth == 0 || codedHeight == 0 || codedWidth % minCbSize != 0 || codedHeight % minCbSize != 0)
        {
            return false;
        }

        var chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
        var subWidthC = chromaArrayType is 1 or 2 ? 2 : 1;
        var subHeightC = chromaArrayType == 1 ? 2 : 1;
        var width = codedWidth - subWidthC * (cropLeft + cropRight);
        var height = codedHeight - subHeightC * (cropTop + cropBottom);
        if (width <= 0 || height <= 0 || width > MaxDimension || height > MaxDimension)
        {
            return false;
        }

        sps = new H265SpsFields(profileTierLevel, maxSubLayersMinus1 + 1, temporalIdNesting, chromaFormatIdc, bitDepthLuma, bitDepthChroma,
            (int)width, (int)height, frameRate, minSpatialSegmentation);
        return true;
    }

    //  profile_tier_level(1, maxNumSubLayersMinus1) after the general part (7.3.3):
    //  for (i = 0; i < maxNumSubLayersMinus1; i++)  sub_layer_profile_present_flag[i] u(1), sub_layer_level_present_flag[i] u(1)
    //  if (maxNumSubLayersMinus1 > 0) for (i = maxNumSubLayersMinus1; i < 8; i++)  reserved_zero_2bits u(2)
    //  for (i = 0; i < maxNumSubLayersMinus1; i++)
    //    [88 bits: sub-layer profile space, tier, idc, 32 compatibility flags, 44 constraint bits] if profile present
    //    [sub_layer_level_idc u(8)] if level present
    private static void SkipSubLayerProfileTierLevels(ref BitReader reader, int maxSubLayersMinus1)
    {
        if (maxSubLayersMinus1 == 0)
        {
            return;
        }

        var present = reader.ReadBits(2 * maxSubLayersMinus1);
        reader.Skip(2 * (8 - maxSubLayersMinus1));
        for (var i = 0; i < maxSubLayersMinus1; i++)
        {
            var shift = 2 * (maxSubLayersMinus1 - 1 - i);
            if ((present >> (shift + 1) & 1) != 0)
            {
                reader.Skip(88);
            }

            if ((present >> shift & 1) != 0)
            {
                reader.Skip(8);
            }
        }
    }

    private static bool SkipSubLayerOrdering(ref BitReader reader, int maxSubLayersMinus1)
    {
        var allSubLayers = reader.ReadFlag(); // sps_sub_layer_ordering_info_present_flag
        for (var i = allSubLayers ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++)
        {
            var maxDecPicBufferingMinus1 = reader.ReadUe();
            var maxNumReorderPics = reader.ReadUe();
            reader.ReadUe(); // sps_max_latency_increase_plus1
            if (maxDecPicBufferingMinus1 >= MaxDpbSize || maxNumReorderPics > maxDecPicBufferingMinus1)
            {
                return false;
            }
        }

        return !reader.HasError;
    }

    // MinCbLog2SizeY = log2_min_luma_coding_block_size_minus3 + 3, CtbLog2SizeY = MinCbLog2SizeY + diff ≤ 6;
    // MinTbLog2SizeY = minus2 + 2 < MinCbLog2SizeY, MaxTbLog2SizeY = MinTbLog2SizeY + diff ≤ Min(CtbLog2SizeY, 5);
    // max_transform_hierarchy_depth_inter/intra ≤ CtbLog2SizeY − MinTbLog2SizeY.
    private static bool TryReadBlockSizes(ref BitReader reader, out int minCbLog2)
    {
        long minCb = reader.ReadUe() + 3L;
        long ctb = minCb + reader.ReadUe();
        long minTb = reader.ReadUe() + 2L;
        long maxTb = minTb + reader.ReadUe();
        long depthInter = reader.ReadUe();
        long depthIntra = reader.ReadUe();
        minCbLog2 = (int)Math.Min(minCb, MaxCtbLog2);
        return !reader.HasError && ctb <= MaxCtbLog2 && minTb < minCb && maxTb <= Math.Min(ctb, MaxTransformLog2)
            && depthInter <= ctb - minTb && depthIntra <= ctb - minTb;
    }

    //  scaling_list_enabled_flag u(1) [sps_scaling_list_data_present_flag u(1) [scaling_list_data()]]
    //  amp_enabled_flag u(1), sample_adaptive_offset_enabled_flag u(1)
    //  pcm_enabled_flag u(1) [pcm_sample_bit_depth_luma_minus1 u(4), pcm_sample_bit_depth_chroma_minus1 u(4),
    //                         log2_min_pcm_luma_coding_block_size_minus3 ue(v),
    //                         log2_diff_max_min_pcm_luma_coding_block_size ue(v), pcm_loop_filter_disabled_flag u(1)]
    private static bool SkipCodingTools(ref BitReader reader, int bitDepthLuma, int bitDepthChroma)
    {
        if (reader.ReadFlag() && reader.ReadFlag() && !SkipScalingListData(ref reader))
        {
            return false;
        }

        reader.Skip(2);
        if (reader.ReadFlag())
        {
            var pcmLuma = reader.ReadBits(4) + 1;
            var pcmChroma = reader.ReadBits(4) + 1;
            var minPcmMinus3 = reader.ReadUe();
            var diffPcm = reader.ReadUe();
            reader.Skip(1);
            if (pcmLuma > bitDepthLuma || pcmChroma > bitDepthChroma || minPcmMinus3 > 2 || diffPcm > 2 - minPcmMinus3)
            {
                return false;
            }
        }

        return !reader.HasError;
    }

    //  scaling_list_data() (7.3.4):
    //  for (sizeId = 0; sizeId < 4; sizeId++)
    //    for (matrixId = 0; matrixId < 6; matrixId += (sizeId == 3) ? 3 : 1)
    //      scaling_list_pred_mode_flag u(1)
    //      0: scaling_list_pred_matrix_id_delta ue(v)
    //      1: [scaling_list_dc_coef_minus8 se(v) if sizeId > 1], scaling_list_delta_coef se(v) × Min(64, 1 << (4 + 2·sizeId))
    private static bool SkipScalingListData(ref BitReader reader)
    {
        for (var sizeId = 0; sizeId < 4; sizeId++)
        {
            for (var matrixId = 0; matrixId < 6 && !reader.HasError; matrixId += sizeId == 3 ? 3 : 1)
            {
                if (!reader.ReadFlag())
                {
                    if (reader.ReadUe() > (uint)(sizeId == 3 ? matrixId / 3 : matrixId))
                    {
                        return false;
                    }

                    continue;
                }

                if (sizeId > 1 && reader.ReadSe() is < -7 or > 247)
                {
                    return false;
                }

                var coefficients = Math.Min(64, 1 << (4 + (sizeId << 1)));
                for (var i = 0; i < coefficients && !reader.HasError; i++)
                {
                    if (reader.ReadSe() is < -128 or > 127)
                    {
                        return false;
                    }
                }
            }
        }

        return !reader.HasError;
    }

    //  st_ref_pic_set(stRpsIdx) (7.3.7), in the SPS (stRpsIdx < num_short_term_ref_pic_sets, so no delta_idx_minus1):
    //  [inter_ref_pic_set_prediction_flag u(1) if stRpsIdx != 0]
    //  1: delta_rps_sign u(1), abs_delta_rps_minus1 ue(v),
    //     for (j = 0; j <= NumDeltaPocs[stRpsIdx − 1]; j++)
    //       used_by_curr_pic_flag[j] u(1) [use_delta_flag[j] u(1) if !used_by_curr_pic_flag[j]]
    //     NumDeltaPocs[stRpsIdx] = count of j with used_by_curr_pic_flag or use_delta_flag (inferred 1)
    //  0: num_negative_pics ue(v), num_positive_pics ue(v),
    //     per picture: delta_poc_s0/s1_minus1 ue(v), used_by_curr_pic_s0/s1_flag u(1)
    private static bool SkipShortTermRefPicSets(ref BitReader reader, int count)
    {
        const int maxDeltaPocs = 2 * MaxDpbSize;
        const uint maxAbsDeltaRpsMinus1 = (1 << 15) - 1;
        Span<int> numDeltaPocs = stackalloc int[MaxShortTermRefPicSets];
        for (var index = 0; index < count; index++)
        {
            if (index != 0 && reader.ReadFlag())
            {
                reader.Skip(1); // delta_rps_sign
                if (reader.ReadUe() > maxAbsDeltaRpsMinus1)
                {
                    return false;
                }

                var deltaPocs = 0;
                for (var j = 0; j <= numDeltaPocs[index - 1] && !reader.HasError; j++)
                {
                    if (reader.ReadFlag() || reader.ReadFlag())
                    {
                        deltaPocs++;
                    }
                }

                if (deltaPocs > maxDeltaPocs)
                {
                    return false;
                }

                numDeltaPocs[index] = deltaPocs;
            }
            else
            {
                var negative = reader.ReadUe();
                var positive = reader.ReadUe();
                if (negative >= MaxDpbSize || positive >= MaxDpbSize)
                {
                    return false;
                }

                for (var i = 0; i < negative + positive && !reader.HasError; i++)
                {
                    if (reader.ReadUe() > maxAbsDeltaRpsMinus1)
                    {
                        return false;
                    }

                    reader.Skip(1);
                }

                numDeltaPocs[index] = (int)(negative + positive);
            }

            if (reader.HasError)
            {
                return false;
            }
        }

        return true;
    }

    //  sps_extension_present_flag u(1)
    //  [sps_range_extension_flag, sps_multilayer_extension_flag, sps_3d_extension_flag, sps_scc_extension_flag u(1),
    //   sps_extension_4bits u(4)]
    //  sps_range_extension(): nine flags u(1) (transform_skip_rotation_enabled_flag .. cabac_bypass_alignment_enabled_flag)
    //  sps_multilayer_extension(): inter_view_mv_vert_constraint_flag u(1)
    //  opaque: true when 3D, SCC or extension data follow, which this parser does not walk.
    private static bool TrySkipExtensions(ref BitReader reader, out bool opaque)
    {
        opaque = false;
        if (!reader.ReadFlag())
        {
            return !reader.HasError;
        }

        var range = reader.ReadFlag();
        var multilayer = reader.ReadFlag();
        var threeD = reader.ReadFlag();
        var scc = reader.ReadFlag();
        var more = reader.ReadBits(4) != 0;
        if (range)
        {
            reader.Skip(9);
        }

        if (multilayer)
        {
            reader.Skip(1);
        }

        opaque = threeD || scc || more;
        return !reader.HasError;
    }
}
