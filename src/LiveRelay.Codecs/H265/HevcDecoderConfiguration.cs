using System.Buffers.Binary;

namespace LiveRelay.Codecs.H265;

/// <summary>
/// An ISO/IEC 14496-15 HEVCDecoderConfigurationRecord (the MP4 <c>hvcC</c> box, the RTMP/FLV HEVC
/// sequence header): profile, tier, level, sampling, NAL unit length size and the parameter sets.
/// Immutable; the parameter sets share one copied array.
/// </summary>
public sealed class HevcDecoderConfiguration
{
    private const int HeaderLength = 23;
    private const int ArrayHeaderLength = 3;
    private const int MaxTemporalLayers = 7;

    private HevcDecoderConfiguration(
        ReadOnlySpan<byte> header, ReadOnlyMemory<byte>[] vps, ReadOnlyMemory<byte>[] sps, ReadOnlyMemory<byte>[] pps)
    {
        ProfileTierLevel = H265ProfileTierLevel.Read(header[1..]);
        MinSpatialSegmentationIdc = (header[13] & 0x0F) << 8 | header[14];
        ParallelismType = header[15] & 0x03;
        ChromaFormatIdc = header[16] & 0x03;
        BitDepthLuma = 8 + (header[17] & 0x07);
        BitDepthChroma = 8 + (header[18] & 0x07);
        NumTemporalLayers = (header[21] >> 3) & 0x07;
        TemporalIdNested = (header[21] & 0x04) != 0;
        NalUnitLengthSize = (header[21] & 0x03) + 1;
        Vps = vps;
        Sps = sps;
        Pps = pps;
        CodecString = ProfileTierLevel.ToCodecString();
    }

    /// <summary>The general profile space, tier, profile, compatibility and constraint flags, and level.</summary>
    public H265ProfileTierLevel ProfileTierLevel { get; }

    /// <summary><c>min_spatial_segmentation_idc</c>: 0 when the SPS gives no bitstream restriction.</summary>
    public int MinSpatialSegmentationIdc { get; }

    /// <summary><c>parallelismType</c>: 0 mixed or unknown, 1 slices, 2 tiles, 3 wavefronts.</summary>
    public int ParallelismType { get; }

    /// <summary><c>chromaFormat</c>: 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4.</summary>
    public int ChromaFormatIdc { get; }

    /// <summary>Luma sample bit depth.</summary>
    public int BitDepthLuma { get; }

    /// <summary>Chroma sample bit depth.</summary>
    public int BitDepthChroma { get; }

    /// <summary><c>numTemporalLayers</c>: 0 unknown, else the number of temporal sub-layers.</summary>
    public int NumTemporalLayers { get; }

    /// <summary><c>temporalIdNested</c>: the SPS's sps_temporal_id_nesting_flag.</summary>
    public bool TemporalIdNested { get; }

    /// <summary>Bytes in each NAL unit length prefix of the samples: 1, 2 or 4.</summary>
    public int NalUnitLengthSize { get; }

    /// <summary>The video parameter set NAL units, each with its 2-byte NAL header.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Vps { get; }

    /// <summary>The sequence parameter set NAL units, each with its 2-byte NAL header.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Sps { get; }

    /// <summary>The picture parameter set NAL units, each with its 2-byte NAL header.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Pps { get; }

    /// <summary>RFC 6381 codec string, e.g. <c>hvc1.1.6.L93.B0</c>.</summary>
    public string CodecString { get; }

    //  aligned(8) class HEVCDecoderConfigurationRecord {            (ISO/IEC 14496-15 8.3.3.1)
    //    unsigned int(8)  configurationVersion = 1;
    //    unsigned int(2)  general_profile_space; unsigned int(1) general_tier_flag; unsigned int(5) general_profile_idc;
    //    unsigned int(32) general_profile_compatibility_flags;
    //    unsigned int(48) general_constraint_indicator_flags;
    //    unsigned int(8)  general_level_idc;
    //    bit(4) reserved = '1111'b;    unsigned int(12) min_spatial_segmentation_idc;
    //    bit(6) reserved = '111111'b;  unsigned int(2) parallelismType;
    //    bit(6) reserved = '111111'b;  unsigned int(2) chromaFormat;
    //    bit(5) reserved = '11111'b;   unsigned int(3) bitDepthLumaMinus8;
    //    bit(5) reserved = '11111'b;   unsigned int(3) bitDepthChromaMinus8;
    //    bit(16) avgFrameRate;
    //    bit(2) constantFrameRate; bit(3) numTemporalLayers; bit(1) temporalIdNested; unsigned int(2) lengthSizeMinusOne;
    //    unsigned int(8)  numOfArrays;
    //    for (j = 0; j < numOfArrays; j++) {
    //      bit(1) array_completeness; unsigned int(1) reserved = 0; unsigned int(6) NAL_unit_type;
    //      unsigned int(16) numNalus;
    //      for (i = 0; i < numNalus; i++) {
    //        unsigned int(16) nalUnitLength;
    //        bit(8 * nalUnitLength) nalUnit;
    //      }
    //    }
    //  }
    /// <summary>
    /// Parses a record. Returns false, never throws, for a wrong version, a length size of 3, an empty
    /// NAL unit, a VPS/SPS/PPS array holding another NAL unit type, or any length that runs past the end.
    /// Arrays of other NAL unit types (SEI) are skipped.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> record, out HevcDecoderConfiguration? config)
    {
        config = null;
        if (record.Length < HeaderLength || record[0] != 1 || (record[21] & 0x03) == 2)
        {
            return false;
        }

        // Validate the whole layout before copying anything.
        var arrays = record[22];
        var offset = HeaderLength;
        int vpsCount = 0, spsCount = 0, ppsCount = 0;
        for (var a = 0; a < arrays; a++)
        {
            if (record.Length - offset < ArrayHeaderLength)
            {
                return false;
            }

            var type = record[offset] & 0x3F;
            var count = BinaryPrimitives.ReadUInt16BigEndian(record[(offset + 1)..]);
            offset += ArrayHeaderLength;
            for (var i = 0; i < count; i++)
            {
                if (record.Length - offset < 2)
                {
                    return false;
                }

                var length = BinaryPrimitives.ReadUInt16BigEndian(record[offset..]);
                if (length == 0 || record.Length - offset - 2 < length)
                {
                    return false;
                }

                if (type is (H265NalType.Vps or H265NalType.Sps or H265NalType.Pps) && H265Nal.GetNalType(record[offset + 2]) != type)
                {
                    return false;
                }

                offset += 2 + length;
            }

            vpsCount += type == H265NalType.Vps ? count : 0;
            spsCount += type == H265NalType.Sps ? count : 0;
            ppsCount += type == H265NalType.Pps ? count : 0;
        }

        var copy = record[..offset].ToArray();
        var vps = new ReadOnlyMemory<byte>[vpsCount];
        var sps = new ReadOnlyMemory<byte>[spsCount];
        var pps = new ReadOnlyMemory<byte>[ppsCount];
        int vpsIndex = 0, spsIndex = 0, ppsIndex = 0;
        var position = HeaderLength;
        for (var a = 0; a < arrays; a++)
        {
            var type = copy[position] & 0x3F;
            var count = BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(position + 1));
            position += ArrayHeaderLength;
            for (var i = 0; i < count; i++)
            {
                var length = BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(position));
                var nal = new ReadOnlyMemory<byte>(copy, position + 2, length);
                position += 2 + length;
                switch (type)
                {
                    case H265NalType.Vps: vps[vpsIndex++] = nal; break;
                    case H265NalType.Sps: sps[spsIndex++] = nal; break;
                    case H265NalType.Pps: pps[ppsIndex++] = nal; break;
                }
            }
        }

        config = new HevcDecoderConfiguration(copy, vps, sps, pps);
        return true;
    }

    /// <summary>
    /// Builds a record with 4-byte NAL unit lengths from one VPS, one SPS and one PPS (NAL units with their
    /// 2-byte header), each in an array marked complete (as an <c>hvc1</c> sample entry requires). Profile,
    /// tier, level, chroma format and bit depths come from the SPS; numTemporalLayers is the larger of the
    /// VPS's and the SPS's sub-layer counts; min_spatial_segmentation_idc comes from the SPS's VUI and
    /// parallelismType from the PPS when that is non-zero (as ffmpeg does). avgFrameRate and
    /// constantFrameRate are 0 (unspecified).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A NAL unit is not of its type, is shorter than its fixed fields or longer than 65535 bytes, or the SPS does not parse.
    /// </exception>
    public static byte[] Build(ReadOnlySpan<byte> vps, ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps)
    {
        if (vps.Length < 4 || vps.Length > ushort.MaxValue || H265Nal.GetNalType(vps[0]) != H265NalType.Vps)
        {
            throw new ArgumentException("Expected a VPS NAL unit of 4 to 65535 bytes.", nameof(vps));
        }

        if (sps.Length > ushort.MaxValue || !H265SpsParser.TryParse(sps, out var fields))
        {
            throw new ArgumentException("Expected a base-layer SPS NAL unit of up to 65535 bytes that parses.", nameof(sps));
        }

        if (pps.Length < 3 || pps.Length > ushort.MaxValue || H265Nal.GetNalType(pps[0]) != H265NalType.Pps)
        {
            throw new ArgumentException("Expected a PPS NAL unit of 3 to 65535 bytes.", nameof(pps));
        }

        // vps_video_parameter_set_id u(4) | vps_base_layer_internal_flag u(1) | vps_base_layer_available_flag u(1)
        // | vps_max_layers_minus1 u(6) | vps_max_sub_layers_minus1 u(3): bits 1..3 of the second payload byte.
        // The header bytes are never zero, so no emulation prevention byte can sit in these two.
        var vpsSubLayers = ((vps[3] >> 1) & 0x07) + 1;
        var temporalLayers = Math.Min(MaxTemporalLayers, Math.Max(vpsSubLayers, fields.MaxSubLayers));
        var parallelism = 0;
        if (fields.MinSpatialSegmentationIdc != 0 && H265PpsParser.TryReadParallelism(pps, out var tiles, out var wavefronts))
        {
            parallelism = (tiles, wavefronts) switch
            {
                (true, true) => 0,
                (false, true) => 3,
                (true, false) => 2,
                _ => 1,
            };
        }

        var record = new byte[HeaderLength + 3 * (ArrayHeaderLength + 2) + vps.Length + sps.Length + pps.Length];
        record[0] = 1;
        fields.ProfileTierLevel.Write(record.AsSpan(1, H265ProfileTierLevel.RecordLength));
        record[13] = (byte)(0xF0 | fields.MinSpatialSegmentationIdc >> 8);
        record[14] = (byte)fields.MinSpatialSegmentationIdc;
        record[15] = (byte)(0xFC | parallelism);
        record[16] = (byte)(0xFC | fields.ChromaFormatIdc);
        record[17] = (byte)(0xF8 | (fields.BitDepthLuma - 8));
        record[18] = (byte)(0xF8 | (fields.BitDepthChroma - 8));
        record[19] = 0; // avgFrameRate
        record[20] = 0;
        record[21] = (byte)(temporalLayers << 3 | (fields.TemporalIdNesting ? 0x04 : 0) | 0x03); // constantFrameRate 0, lengthSizeMinusOne 3
        record[22] = 3; // numOfArrays
        var position = HeaderLength;
        position += WriteArray(record.AsSpan(position), H265NalType.Vps, vps);
        position += WriteArray(record.AsSpan(position), H265NalType.Sps, sps);
        WriteArray(record.AsSpan(position), H265NalType.Pps, pps);
        return record;
    }

    public override string ToString() =>
        $"{CodecString} vps={Vps.Count} sps={Sps.Count} pps={Pps.Count} length={NalUnitLengthSize}";

    private static int WriteArray(Span<byte> destination, int nalType, ReadOnlySpan<byte> nal)
    {
        destination[0] = (byte)(0x80 | nalType); // array_completeness = 1, reserved 0
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], (ushort)nal.Length);
        nal.CopyTo(destination[5..]);
        return ArrayHeaderLength + 2 + nal.Length;
    }
}
