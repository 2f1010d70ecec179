using System.Buffers.Binary;

namespace LiveRelay.Formats.Ts;

/// <summary>A long-form PSI section (PAT, PMT) whose CRC has been verified; a view over the packet payload.</summary>
public readonly ref struct TsPsiSection
{
    private const int HeaderLength = 8;
    private const int CrcLength = 4;

    private TsPsiSection(int tableId, int tableIdExtension, int version, ReadOnlySpan<byte> body)
    {
        TableId = tableId;
        TableIdExtension = tableIdExtension;
        Version = version;
        Body = body;
    }

    /// <summary>table_id (0x00 PAT, 0x02 PMT).</summary>
    public int TableId { get; }

    /// <summary>transport_stream_id (PAT) or program_number (PMT).</summary>
    public int TableIdExtension { get; }

    /// <summary>version_number.</summary>
    public int Version { get; }

    /// <summary>The bytes after last_section_number and before CRC_32.</summary>
    public ReadOnlySpan<byte> Body { get; }

    //  pointer_field 8 (in the payload of a packet with PUSI) | filler
    //  table_id 8 | section_syntax_indicator 1 | '0' | reserved 2 | section_length 12
    //  table_id_extension 16 | reserved 2 | version_number 5 | current_next_indicator 1
    //  section_number 8 | last_section_number 8 | body | CRC_32 32
    /// <summary>
    /// Reads the section that starts a packet payload with payload_unit_start_indicator set (pointer_field first).
    /// Returns false, never throws, for a section that is truncated, short-form, or fails its CRC.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out TsPsiSection section)
    {
        section = default;
        if (payload.IsEmpty || payload.Length < 1 + payload[0] + 3)
        {
            return false;
        }

        var data = payload[(1 + payload[0])..];
        var sectionLength = (data[1] & 0x0F) << 8 | data[2];
        if ((data[1] & 0x80) == 0 || sectionLength < HeaderLength - 3 + CrcLength || data.Length < 3 + sectionLength)
        {
            return false;
        }

        var whole = data[..(3 + sectionLength)];
        if (Crc32Mpeg2.Compute(whole) != 0)
        {
            return false;
        }

        section = new TsPsiSection(
            whole[0],
            BinaryPrimitives.ReadUInt16BigEndian(whole[3..]),
            (whole[5] >> 1) & 0x1F,
            whole[HeaderLength..^CrcLength]);
        return true;
    }
}
