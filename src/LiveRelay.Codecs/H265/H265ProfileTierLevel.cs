using System.Globalization;
using System.Text;

namespace LiveRelay.Codecs.H265;

/// <summary>
/// The general part of an H.265 profile_tier_level() (ITU-T H.265 7.3.3), as the SPS and the
/// HEVCDecoderConfigurationRecord carry it.
/// </summary>
/// <param name="ProfileSpace"><c>general_profile_space</c>, 0 to 3 (0 for every profile in use).</param>
/// <param name="HighTier"><c>general_tier_flag</c>: true for the High tier.</param>
/// <param name="ProfileIdc"><c>general_profile_idc</c> (1 Main, 2 Main 10, 3 Main Still Picture, 4 range extensions ...).</param>
/// <param name="CompatibilityFlags"><c>general_profile_compatibility_flag[0..31]</c>, flag 0 in the most significant bit.</param>
/// <param name="ConstraintFlags">The 48 bits from <c>general_progressive_source_flag</c> on, in the low 48 bits.</param>
/// <param name="LevelIdc"><c>general_level_idc</c>: 30 × the level number (93 for level 3.1).</param>
public readonly record struct H265ProfileTierLevel(int ProfileSpace, bool HighTier, int ProfileIdc, uint CompatibilityFlags, ulong ConstraintFlags, int LevelIdc)
{
    /// <summary>Bytes of the general fields in the record: 1 + 4 + 6 + 1.</summary>
    internal const int RecordLength = 12;

    private const int ConstraintBytes = 6;

    //  ISO/IEC 14496-15 E.3 (RFC 6381 'codecs' for hvc1/hev1), fields separated by '.':
    //  1. the sample entry 4CC
    //  2. general_profile_space as '', 'A', 'B' or 'C', then general_profile_idc in decimal
    //  3. the 32 compatibility flags in reverse bit order (flag 31 most significant), hex, leading zeros omitted
    //  4. 'L' (Main tier) or 'H' (High tier), then general_level_idc in decimal
    //  5. each of the 6 constraint bytes in hex, trailing zero bytes omitted
    /// <summary>The RFC 6381 codec string, e.g. <c>hvc1.1.6.L93.B0</c>.</summary>
    /// <param name="sampleEntry">The sample entry type: <c>hvc1</c> (parameter sets in the record) or <c>hev1</c>.</param>
    public string ToCodecString(string sampleEntry = "hvc1")
    {
        var builder = new StringBuilder(sampleEntry, 48);
        builder.Append('.');
        if (ProfileSpace > 0)
        {
            builder.Append((char)('A' + ProfileSpace - 1));
        }

        builder.Append(ProfileIdc.ToString(CultureInfo.InvariantCulture));
        builder.Append('.').Append(ReverseBits(CompatibilityFlags).ToString("X", CultureInfo.InvariantCulture));
        builder.Append('.').Append(HighTier ? 'H' : 'L').Append(LevelIdc.ToString(CultureInfo.InvariantCulture));
        var used = ConstraintBytes;
        while (used > 0 && ConstraintByte(used - 1) == 0)
        {
            used--;
        }

        for (var i = 0; i < used; i++)
        {
            builder.Append('.').Append(ConstraintByte(i).ToString("X", CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    //  general_profile_space u(2) | general_tier_flag u(1) | general_profile_idc u(5)
    //  general_profile_compatibility_flag[32] u(1) each
    //  general_progressive_source_flag, interlaced, non_packed_constraint, frame_only_constraint u(1) each
    //  43 bits of profile-specific constraint flags (or reserved), general_inbld_flag or reserved u(1)
    //  general_level_idc u(8)
    /// <summary>Reads the 96 bits of the general profile, tier and level.</summary>
    internal static H265ProfileTierLevel Read(ref BitReader reader)
    {
        var space = (int)reader.ReadBits(2);
        var tier = reader.ReadFlag();
        var profile = (int)reader.ReadBits(5);
        var compatibility = reader.ReadBits(32);
        var constraints = (ulong)reader.ReadBits(16) << 32 | reader.ReadBits(32);
        var level = (int)reader.ReadBits(8);
        return new H265ProfileTierLevel(space, tier, profile, compatibility, constraints, level);
    }

    /// <summary>Writes the 12 bytes of the general fields in record (and bitstream) order.</summary>
    internal void Write(Span<byte> destination)
    {
        destination[0] = (byte)(ProfileSpace << 6 | (HighTier ? 0x20 : 0) | ProfileIdc);
        destination[1] = (byte)(CompatibilityFlags >> 24);
        destination[2] = (byte)(CompatibilityFlags >> 16);
        destination[3] = (byte)(CompatibilityFlags >> 8);
        destination[4] = (byte)CompatibilityFlags;
        for (var i = 0; i < ConstraintBytes; i++)
        {
            destination[5 + i] = ConstraintByte(i);
        }

        destination[11] = (byte)LevelIdc;
    }

    /// <summary>Reads the 12 bytes <see cref="Write"/> writes.</summary>
    internal static H265ProfileTierLevel Read(ReadOnlySpan<byte> source)
    {
        ulong constraints = 0;
        for (var i = 0; i < ConstraintBytes; i++)
        {
            constraints = constraints << 8 | source[5 + i];
        }

        var compatibility = (uint)(source[1] << 24 | source[2] << 16 | source[3] << 8 | source[4]);
        return new H265ProfileTierLevel(source[0] >> 6, (source[0] & 0x20) != 0, source[0] & 0x1F, compatibility, constraints, source[11]);
    }

    private byte ConstraintByte(int index) => (byte)(ConstraintFlags >> (8 * (ConstraintBytes - 1 - index)));

    private static uint ReverseBits(uint value)
    {
        uint result = 0;
        for (var i = 0; i < 32; i++)
        {
            result = result << 1 | (value & 1);
            value >>= 1;
        }

        return result;
    }
}
