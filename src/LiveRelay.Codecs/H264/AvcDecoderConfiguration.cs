using System.Buffers.Binary;

namespace LiveRelay.Codecs.H264;

/// <summary>
/// An ISO/IEC 14496-15 AVCDecoderConfigurationRecord (the RTMP/FLV "AVC sequence header", the MP4 <c>avcC</c> box):
/// profile, level, NAL unit length size and the parameter sets. Immutable; the parameter sets share one copied array.
/// </summary>
public sealed class AvcDecoderConfiguration
{
    private const int FixedHeaderLength = 6;

    private AvcDecoderConfiguration(byte profile, byte compatibility, byte level, int lengthSize, ReadOnlyMemory<byte>[] sps, ReadOnlyMemory<byte>[] pps)
    {
        ProfileIndication = profile;
        ProfileCompatibility = compatibility;
        LevelIndication = level;
        NalUnitLengthSize = lengthSize;
        Sps = sps;
        Pps = pps;
        CodecString = $"avc1.{profile:x2}{compatibility:x2}{level:x2}";
    }

    /// <summary><c>AVCProfileIndication</c>: the SPS's profile_idc.</summary>
    public byte ProfileIndication { get; }

    /// <summary><c>profile_compatibility</c>: the SPS's constraint_set flags byte.</summary>
    public byte ProfileCompatibility { get; }

    /// <summary><c>AVCLevelIndication</c>: the SPS's level_idc.</summary>
    public byte LevelIndication { get; }

    /// <summary>Bytes in each NAL unit length prefix of the samples: 1, 2 or 4.</summary>
    public int NalUnitLengthSize { get; }

    /// <summary>The sequence parameter set NAL units, each with its NAL header byte.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Sps { get; }

    /// <summary>The picture parameter set NAL units, each with its NAL header byte.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Pps { get; }

    /// <summary>RFC 6381 codec string, e.g. <c>avc1.64001f</c>.</summary>
    public string CodecString { get; }

    //  aligned(8) class AVCDecoderConfigurationRecord {          (ISO/IEC 14496-15 5.3.3.1)
    //    unsigned int(8)  configurationVersion = 1;
    //    unsigned int(8)  AVCProfileIndication;
    //    unsigned int(8)  profile_compatibility;
    //    unsigned int(8)  AVCLevelIndication;
    //    bit(6) reserved = '111111'b;  unsigned int(2) lengthSizeMinusOne;   // 0, 1 or 3
    //    bit(3) reserved = '111'b;     unsigned int(5) numOfSequenceParameterSets;
    //    for (i = 0; i < numOfSequenceParameterSets; i++) {
    //      unsigned int(16) sequenceParameterSetLength;
    //      bit(8 * sequenceParameterSetLength) sequenceParameterSetNALUnit;
    //    }
    //    unsigned int(8)  numOfPictureParameterSets;
    //    for (i = 0; i < numOfPictureParameterSets; i++) {
    //      unsigned int(16) pictureParameterSetLength;
    //      bit(8 * pictureParameterSetLength) pictureParameterSetNALUnit;
    //    }
    //    if (AVCProfileIndication != 66 && != 77 && != 88) {      // ignored when read (older writers omit it)
    //      bit(6) '111111'b; unsigned int(2) chroma_format;
    //      bit(5) '11111'b;  unsigned int(3) bit_depth_luma_minus8;
    //      bit(5) '11111'b;  unsigned int(3) bit_depth_chroma_minus8;
    //      unsigned int(8) numOfSequenceParameterSetExt; ...
    //    }
    //  }
    /// <summary>
    /// Parses a record. Returns false, never throws, for a wrong version, a length size of 3,
    /// an empty parameter set, or any length that runs past the end.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> record, out AvcDecoderConfiguration? config)
    {
        config = null;
        if (record.Length < FixedHeaderLength + 1 || record[0] != 1)
        {
            return false;
        }

        var lengthSize = (record[4] & 0x03) + 1;
        if (lengthSize == 3)
        {
            return false;
        }

        // Validate the whole layout before copying anything.
        var offset = FixedHeaderLength;
        var spsCount = record[5] & 0x1F;
        if (!TrySkipParameterSets(record, spsCount, ref offset) || offset >= record.Length)
        {
            return false;
        }

        var ppsCount = record[offset++];
        if (!TrySkipParameterSets(record, ppsCount, ref offset))
        {
            return false;
        }

        var copy = record[..offset].ToArray();
        var sps = new ReadOnlyMemory<byte>[spsCount];
        var pps = new ReadOnlyMemory<byte>[ppsCount];
        var position = FixedHeaderLength;
        for (var i = 0; i < sps.Length; i++)
        {
            sps[i] = Slice(copy, ref position);
        }

        position++; // numOfPictureParameterSets
        for (var i = 0; i < pps.Length; i++)
        {
            pps[i] = Slice(copy, ref position);
        }

        config = new AvcDecoderConfiguration(record[1], record[2], record[3], lengthSize, sps, pps);
        return true;
    }

    /// <summary>
    /// Builds a record with 4-byte NAL unit lengths from one SPS and one PPS (NAL units with their header byte).
    /// Profile, compatibility and level are copied from the SPS; for profiles other than baseline, main
    /// and extended, the chroma format and bit depth extension is appended when the SPS parses (as ffmpeg does).
    /// </summary>
    /// <exception cref="ArgumentException">The SPS is shorter than 4 bytes or not an SPS, the PPS is empty or not a PPS, or either exceeds 65535 bytes.</exception>
    public static byte[] Build(ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps)
    {
        if (sps.Length < 4 || sps.Length > ushort.MaxValue || H264Nal.GetNalType(sps[0]) != H264NalType.Sps)
        {
            throw new ArgumentException("Expected an SPS NAL unit of 4 to 65535 bytes.", nameof(sps));
        }

        if (pps.IsEmpty || pps.Length > ushort.MaxValue || H264Nal.GetNalType(pps[0]) != H264NalType.Pps)
        {
            throw new ArgumentException("Expected a PPS NAL unit of 1 to 65535 bytes.", nameof(pps));
        }

        var profile = sps[1];
        H264SpsFields fields = default;
        var hasExtension = profile is not (66 or 77 or 88) && H264SpsParser.TryParse(sps, out fields);
        var record = new byte[FixedHeaderLength + 2 + sps.Length + 1 + 2 + pps.Length + (hasExtension ? 4 : 0)];
        record[0] = 1;
        record[1] = profile;
        record[2] = sps[2];
        record[3] = sps[3];
        record[4] = 0xFF; // reserved '111111', lengthSizeMinusOne = 3
        record[5] = 0xE1; // reserved '111', one SPS
        var position = FixedHeaderLength;
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(position), (ushort)sps.Length);
        sps.CopyTo(record.AsSpan(position + 2));
        position += 2 + sps.Length;
        record[position++] = 1; // one PPS
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(position), (ushort)pps.Length);
        pps.CopyTo(record.AsSpan(position + 2));
        position += 2 + pps.Length;
        if (hasExtension)
        {
            record[position++] = (byte)(0xFC | fields.ChromaFormatIdc);
            record[position++] = (byte)(0xF8 | (fields.BitDepthLuma - 8));
            record[position++] = (byte)(0xF8 | (fields.BitDepthChroma - 8));
            record[position] = 0; // numOfSequenceParameterSetExt
        }

        return record;
    }

    public override string ToString() => $"{CodecString} sps={Sps.Count} pps={Pps.Count} length={NalUnitLengthSize}";

    private static bool TrySkipParameterSets(ReadOnlySpan<byte> record, int count, ref int offset)
    {
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

            offset += 2 + length;
        }

        return true;
    }

    private static ReadOnlyMemory<byte> Slice(byte[] record, ref int position)
    {
        var length = BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(position));
        var slice = new ReadOnlyMemory<byte>(record, position + 2, length);
        position += 2 + length;
        return slice;
    }
}
