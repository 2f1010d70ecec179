namespace LiveRelay.Codecs.H265;

/// <summary>
/// Reads the start of pic_parameter_set_rbsp() (ITU-T H.265 7.3.2.3.1), up to the flags that give the
/// configuration record's parallelismType.
/// </summary>
internal static class H265PpsParser
{
    private const int MaxPpsId = 63;
    private const int MaxSpsId = 15;
    private const int MaxRefIdxDefaultMinus1 = 14;

    //  nal_unit_header (2 bytes, nal_unit_type = 34)
    //  pps_pic_parameter_set_id ue(v), pps_seq_parameter_set_id ue(v)
    //  dependent_slice_segments_enabled_flag u(1), output_flag_present_flag u(1), num_extra_slice_header_bits u(3)
    //  sign_data_hiding_enabled_flag u(1), cabac_init_present_flag u(1)
    //  num_ref_idx_l0_default_active_minus1 ue(v), num_ref_idx_l1_default_active_minus1 ue(v)
    //  init_qp_minus26 se(v), constrained_intra_pred_flag u(1), transform_skip_enabled_flag u(1)
    //  cu_qp_delta_enabled_flag u(1) [diff_cu_qp_delta_depth ue(v)]
    //  pps_cb_qp_offset se(v), pps_cr_qp_offset se(v), pps_slice_chroma_qp_offsets_present_flag u(1)
    //  weighted_pred_flag u(1), weighted_bipred_flag u(1), transquant_bypass_enabled_flag u(1)
    //  tiles_enabled_flag u(1), entropy_coding_sync_enabled_flag u(1), ...
    /// <summary>Reads tiles_enabled_flag and entropy_coding_sync_enabled_flag; false for anything else than a readable PPS.</summary>
    public static bool TryReadParallelism(ReadOnlySpan<byte> nalUnit, out bool tiles, out bool entropyCodingSync)
    {
        tiles = false;
        entropyCodingSync = false;
        if (nalUnit.Length < 3 || (nalUnit[0] & 0x80) != 0 || H265Nal.GetNalType(nalUnit[0]) != H265NalType.Pps)
        {
            return false;
        }

        var reader = new BitReader(nalUnit[2..], removeEmulationPrevention: true);
        if (reader.ReadUe() > MaxPpsId || reader.ReadUe() > MaxSpsId)
        {
            return false;
        }

        reader.Skip(1 + 1 + 3 + 1 + 1);
        if (reader.ReadUe() > MaxRefIdxDefaultMinus1 || reader.ReadUe() > MaxRefIdxDefaultMinus1)
        {
            return false;
        }

        reader.ReadSe(); // init_qp_minus26
        reader.Skip(2);
        if (reader.ReadFlag())
        {
            reader.ReadUe(); // diff_cu_qp_delta_depth
        }

        reader.ReadSe();
        reader.ReadSe();
        reader.Skip(1 + 1 + 1 + 1);
        tiles = reader.ReadFlag();
        entropyCodingSync = reader.ReadFlag();
        return !reader.HasError;
    }
}
