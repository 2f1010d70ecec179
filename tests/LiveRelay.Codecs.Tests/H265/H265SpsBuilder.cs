namespace LiveRelay.Codecs.Tests.H265;

/// <summary>
/// Hand-builds H.265 SPS NAL units for the syntax paths libx265 never emits: sub-layer profile and
/// level fields, short-term reference picture sets (with inter-set prediction), long-term pictures,
/// scaling lists, PCM, HRD with sub-picture parameters, bitstream restriction and extensions.
/// </summary>
internal sealed class H265SpsBuilder
{
    public int MaxSubLayersMinus1 { get; init; }
    public bool SubLayerProfilesAndLevels { get; init; }
    public int ProfileIdc { get; init; } = 1;
    public int LevelIdc { get; init; } = 123;
    public int ChromaFormatIdc { get; init; } = 1;
    public bool SeparateColourPlane { get; init; }
    public int CodedWidth { get; init; } = 1920;
    public int CodedHeight { get; init; } = 1088;
    public (int Left, int Right, int Top, int Bottom) ConformanceWindow { get; init; } = (0, 0, 0, 4);
    public int BitDepth { get; init; } = 8;
    public int Log2MinCodingBlockMinus3 { get; init; }
    public bool ScalingLists { get; init; }
    public int ScalingDcCoefMinus8 { get; init; } = 8;
    public bool Pcm { get; init; }
    public bool ShortTermSets { get; init; }
    public bool LongTermPictures { get; init; }
    public bool Vui { get; init; } = true;
    public uint NumUnitsInTick { get; init; } = 1001;
    public uint TimeScale { get; init; } = 30000;
    public bool Hrd { get; init; }
    public int? MinSpatialSegmentationIdc { get; init; }
    public bool RangeExtension { get; init; }
    public bool SccExtension { get; init; }
    public bool StopBit { get; init; } = true;

    /// <summary>A 0 bit right before the stop bit: a parser that stops exactly at the end of the syntax then fails.</summary>
    public bool ZeroBitBeforeStop { get; init; }

    public byte[] Build()
    {
        var w = new TestBitWriter()
            .Bits(0, 4).Bits((ulong)MaxSubLayersMinus1, 3).Flag(MaxSubLayersMinus1 == 0)
            .Bits(0, 2).Flag(false).Bits((ulong)ProfileIdc, 5) // general_profile_space, tier, idc
            .Bits(1UL << (31 - ProfileIdc) | 1UL << (29 - ProfileIdc), 32) // compatibility: this profile and the one two below
            .Bits(0xB0, 8).Bits(0, 40) // progressive, non-packed, frame-only
            .Bits((ulong)LevelIdc, 8);
        for (var i = 0; i < MaxSubLayersMinus1; i++)
        {
            w.Flag(SubLayerProfilesAndLevels).Flag(SubLayerProfilesAndLevels || i % 2 == 1);
        }

        for (var i = MaxSubLayersMinus1; i > 0 && i < 8; i++)
        {
            w.Bits(0, 2); // reserved_zero_2bits
        }

        for (var i = 0; i < MaxSubLayersMinus1; i++)
        {
            if (SubLayerProfilesAndLevels)
            {
                w.Bits(0x01_4000_0000_B0, 48).Bits(0, 40); // 88 bits: Main, compatible with Main, progressive ...
            }

            if (SubLayerProfilesAndLevels || i % 2 == 1)
            {
                w.Bits((ulong)(0x5B + 4 * i), 8); // sub_layer_level_idc ending in binary 11: a misaligned ue(v) read cannot resync
            }
        }

        w.Ue(0).Ue((ulong)ChromaFormatIdc);
        if (ChromaFormatIdc == 3)
        {
            w.Flag(SeparateColourPlane);
        }

        w.Ue((ulong)CodedWidth).Ue((ulong)CodedHeight);
        var window = ConformanceWindow;
        w.Flag(window != default);
        if (window != default)
        {
            w.Ue((ulong)window.Left).Ue((ulong)window.Right).Ue((ulong)window.Top).Ue((ulong)window.Bottom);
        }

        w.Ue((ulong)BitDepth - 8).Ue((ulong)BitDepth - 8).Ue(4); // bit depths, log2_max_pic_order_cnt_lsb_minus4 (8 bits)
        w.Flag(true);
        for (var i = 0; i <= MaxSubLayersMinus1; i++)
        {
            w.Ue(4).Ue(2).Ue(0); // max_dec_pic_buffering_minus1, max_num_reorder_pics, max_latency_increase_plus1
        }

        w.Ue((ulong)Log2MinCodingBlockMinus3).Ue((ulong)(3 - Log2MinCodingBlockMinus3)) // 64x64 CTB
            .Ue(0).Ue(3) // 4x4 to 32x32 transforms
            .Ue(2).Ue(1); // transform hierarchy depths
        w.Flag(ScalingLists);
        if (ScalingLists)
        {
            w.Flag(true);
            WriteScalingLists(w);
        }

        w.Flag(true).Flag(true).Flag(Pcm); // amp, sao, pcm
        if (Pcm)
        {
            w.Bits(7, 4).Bits(7, 4).Ue(0).Ue(2).Flag(true);
        }

        WriteShortTermSets(w);
        w.Flag(LongTermPictures);
        if (LongTermPictures)
        {
            w.Ue(2).Bits(0x5A, 8).Flag(true).Bits(0x01, 8).Flag(false);
        }

        w.Flag(true).Flag(true).Flag(Vui);
        if (Vui)
        {
            WriteVui(w);
        }

        w.Flag(RangeExtension || SccExtension);
        if (RangeExtension || SccExtension)
        {
            w.Flag(RangeExtension).Flag(false).Flag(false).Flag(SccExtension).Bits(0, 4);
            if (RangeExtension)
            {
                w.Bits(0b1_0101_0101, 9);
            }

            if (SccExtension)
            {
                w.Bits(0b1101_0010_1, 9); // sps_scc_extension(): opaque to the parser
            }
        }

        if (ZeroBitBeforeStop)
        {
            w.Flag(false);
        }

        if (StopBit)
        {
            w.TrailingBits();
        }
        else
        {
            w.Bits(0, 8);
        }

        // NAL header 0x42 0x01; ToNalUnit escapes what follows its one header byte, so give it the second.
        return [0x42, .. w.ToNalUnit(0x01)];
    }

    private void WriteScalingLists(TestBitWriter w)
    {
        for (var sizeId = 0; sizeId < 4; sizeId++)
        {
            for (var matrixId = 0; matrixId < 6; matrixId += sizeId == 3 ? 3 : 1)
            {
                var predicted = (sizeId + matrixId) % 3 == 0;
                w.Flag(!predicted);
                if (predicted)
                {
                    w.Ue(matrixId == 0 ? 0UL : 1UL); // scaling_list_pred_matrix_id_delta
                    continue;
                }

                if (sizeId > 1)
                {
                    w.Se(ScalingDcCoefMinus8);
                }

                var coefficients = Math.Min(64, 1 << (4 + (sizeId << 1)));
                for (var i = 0; i < coefficients; i++)
                {
                    w.Se(i == 0 ? 5 : (i % 2 == 0 ? 1 : -1));
                }
            }
        }
    }

    // Three sets: one explicit with three pictures, then two predicted from the set before.
    private void WriteShortTermSets(TestBitWriter w)
    {
        if (!ShortTermSets)
        {
            w.Ue(0);
            return;
        }

        w.Ue(3);
        w.Ue(2).Ue(1).Ue(0).Flag(true).Ue(1).Flag(true).Ue(0).Flag(false); // 2 negative, 1 positive: NumDeltaPocs 3
        w.Flag(true).Flag(false).Ue(0); // inter_ref_pic_set_prediction_flag, delta_rps_sign, abs_delta_rps_minus1
        w.Flag(true).Flag(false).Flag(false).Flag(false).Flag(true).Flag(true); // j 0..3: kept, dropped, kept, kept → 3
        w.Flag(true).Flag(true).Ue(1);
        w.Flag(false).Flag(true).Flag(true).Flag(false).Flag(false).Flag(true); // kept, kept, dropped, kept → 3
    }

    private void WriteVui(TestBitWriter w)
    {
        w.Flag(true).Bits(255, 8).Bits(4, 16).Bits(3, 16); // Extended_SAR
        w.Flag(true).Flag(false); // overscan
        w.Flag(true).Bits(5, 3).Flag(false).Flag(true).Bits(1, 8).Bits(1, 8).Bits(1, 8); // video signal, colour description
        w.Flag(true).Ue(1).Ue(1); // chroma location
        w.Flag(false).Flag(false).Flag(false); // neutral chroma, field_seq, frame_field_info
        w.Flag(true).Ue(0).Ue(0).Ue(0).Ue(2); // default display window
        w.Flag(true).Bits(NumUnitsInTick, 32).Bits(TimeScale, 32).Flag(true).Ue(0).Flag(Hrd);
        if (Hrd)
        {
            WriteHrd(w);
        }

        w.Flag(MinSpatialSegmentationIdc.HasValue);
        if (MinSpatialSegmentationIdc is { } idc)
        {
            w.Flag(false).Flag(true).Flag(false).Ue((ulong)idc).Ue(2).Ue(1).Ue(15).Ue(15);
        }
    }

    // NAL and VCL parameters with sub-picture fields; sub-layer 0 has a fixed rate and two CPBs,
    // sub-layer 1 is low delay (no cpb_cnt_minus1), further sub-layers are fixed within the CVS.
    private void WriteHrd(TestBitWriter w)
    {
        w.Flag(true).Flag(true).Flag(true); // nal, vcl, sub_pic_hrd_params_present_flag
        w.Bits(0x17, 8).Bits(3, 5).Flag(true).Bits(4, 5);
        w.Bits(2, 4).Bits(3, 4).Bits(1, 4);
        w.Bits(23, 5).Bits(23, 5).Bits(23, 5);
        for (var i = 0; i <= MaxSubLayersMinus1; i++)
        {
            var cpbs = 1;
            if (i == 0)
            {
                w.Flag(true).Ue(0).Ue(1); // fixed_pic_rate_general_flag, elemental_duration_in_tc_minus1, cpb_cnt_minus1
                cpbs = 2;
            }
            else if (i == 1)
            {
                w.Flag(false).Flag(false).Flag(true); // not fixed, low_delay_hrd_flag: no cpb_cnt_minus1
            }
            else
            {
                w.Flag(false).Flag(true).Ue(1).Ue(0);
            }

            for (var parameters = 0; parameters < 2; parameters++)
            {
                for (var j = 0; j < cpbs; j++)
                {
                    w.Ue(4999).Ue(9999).Ue(99).Ue(49).Flag(j == 0);
                }
            }
        }
    }
}
