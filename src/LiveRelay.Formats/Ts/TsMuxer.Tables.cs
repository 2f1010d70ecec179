using System.Buffers;
using System.Buffers.Binary;

namespace LiveRelay.Formats.Ts;

public sealed partial class TsMuxer
{
    private const int SectionHeaderLength = 8; // table_id .. last_section_number
    private const int CrcLength = 4;

    //  program_association_section (2.4.4.3), one program:
    //  table_id 8 = 0x00 | section_syntax_indicator 1 = 1 | '0' | reserved 2 | section_length 12 = 13
    //  transport_stream_id 16 | reserved 2 | version_number 5 | current_next_indicator 1
    //  section_number 8 | last_section_number 8
    //  program_number 16 | reserved 3 | program_map_PID 13
    //  CRC_32 32
    private static ReadOnlySpan<byte> PatSection =>
    [
        0x00, 0xB0, 0x0D,
        TransportStreamId >> 8, TransportStreamId & 0xFF, 0xC1, 0x00, 0x00,
        ProgramNumber >> 8, ProgramNumber & 0xFF, 0xE0 | PmtPid >> 8, PmtPid & 0xFF,
        0x2A, 0xB1, 0x04, 0xB2, // CRC_32 (checked against Crc32Mpeg2 in the tests)
    ];

    private readonly byte[] _pmtSection;

    /// <summary>
    /// Writes the PAT and the PMT, one packet each. Call at the start of every segment (HLS) or
    /// periodically (SRT), before the frames that follow.
    /// </summary>
    public void WriteTables(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        WriteSectionPacket(TsPacket.PatPid, ref _patCounter, PatSection, output);
        WriteSectionPacket(PmtPid, ref _pmtCounter, _pmtSection, output);
    }

    //  TS_program_map_section (2.4.4.8):
    //  table_id 8 = 0x02 | section_syntax_indicator 1 = 1 | '0' | reserved 2 | section_length 12
    //  program_number 16 | reserved 2 | version_number 5 | current_next_indicator 1
    //  section_number 8 = 0 | last_section_number 8 = 0
    //  reserved 3 | PCR_PID 13 | reserved 4 | program_info_length 12 = 0
    //  per stream: stream_type 8 | reserved 3 | elementary_PID 13 | reserved 4 | ES_info_length 12 = 0
    //  CRC_32 32
    private byte[] BuildPmtSection(byte videoStreamType, byte audioStreamType)
    {
        var streams = (videoStreamType != 0 ? 1 : 0) + (audioStreamType != 0 ? 1 : 0);
        var sectionLength = 5 + 4 + 5 * streams + CrcLength; // after section_length
        var section = new byte[3 + sectionLength];
        section[0] = 0x02;
        section[1] = (byte)(0xB0 | sectionLength >> 8);
        section[2] = (byte)sectionLength;
        section[3] = ProgramNumber >> 8;
        section[4] = ProgramNumber & 0xFF;
        section[5] = 0xC1; // reserved, version 0, current
        section[6] = 0;
        section[7] = 0;
        section[8] = (byte)(0xE0 | PcrPid >> 8);
        section[9] = (byte)PcrPid;
        section[10] = 0xF0; // reserved, program_info_length 0
        section[11] = 0x00;
        var offset = SectionHeaderLength + 4;
        if (videoStreamType != 0)
        {
            offset += WriteStreamEntry(section.AsSpan(offset), videoStreamType, VideoPid);
        }

        if (audioStreamType != 0)
        {
            offset += WriteStreamEntry(section.AsSpan(offset), audioStreamType, AudioPid);
        }

        BinaryPrimitives.WriteUInt32BigEndian(section.AsSpan(offset), Crc32Mpeg2.Compute(section.AsSpan(0, offset)));
        return section;
    }

    private static int WriteStreamEntry(Span<byte> destination, byte streamType, int pid)
    {
        destination[0] = streamType;
        destination[1] = (byte)(0xE0 | pid >> 8);
        destination[2] = (byte)pid;
        destination[3] = 0xF0; // reserved, ES_info_length 0
        destination[4] = 0x00;
        return 5;
    }

    // A section that fits one packet: header with PUSI, pointer_field 0, the section, 0xFF filler (2.4.4.2).
    private static void WriteSectionPacket(int pid, ref byte counter, ReadOnlySpan<byte> section, IBufferWriter<byte> output)
    {
        var packet = output.GetSpan(TsPacket.Length)[..TsPacket.Length];
        WritePacketHeader(packet, pid, payloadUnitStart: true, hasAdaptationField: false, ref counter);
        packet[TsPacket.HeaderLength] = 0; // pointer_field
        section.CopyTo(packet[(TsPacket.HeaderLength + 1)..]);
        packet[(TsPacket.HeaderLength + 1 + section.Length)..].Fill(0xFF);
        output.Advance(TsPacket.Length);
    }
}
