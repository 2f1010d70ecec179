using System.Buffers;

namespace LiveRelay.Formats.Ts;

public sealed partial class TsMuxer
{
    private const int PesFixedHeaderLength = 9; // start code .. PES_header_data_length
    private const int TimestampLength = 5;
    private const int PcrFieldLength = 6;
    private const byte PesFlagsDataAligned = 0x84; // '10', not scrambled, data_alignment_indicator
    private const byte PtsOnly = 0x80;
    private const byte PtsAndDts = 0xC0;
    private const byte AdaptationRandomAccess = 0x40;
    private const byte AdaptationPcr = 0x10;

    //  PES packet header (2.4.3.6):
    //  packet_start_code_prefix 24 = 0x000001 | stream_id 8 | PES_packet_length 16 (0 = unbounded, video only)
    //  '10' | PES_scrambling_control 2 | PES_priority 1 | data_alignment_indicator 1 | copyright 1 | original_or_copy 1
    //  PTS_DTS_flags 2 | ESCR_flag 1 | ES_rate_flag 1 | DSM_trick_mode_flag 1 | additional_copy_info_flag 1
    //    | PES_CRC_flag 1 | PES_extension_flag 1
    //  PES_header_data_length 8
    //  PTS 40 ['0010' or '0011'], then DTS 40 ['0001'] when PTS_DTS_flags = '11'
    private static void WritePesHeader(IBufferWriter<byte> output, byte streamId, long pts, long dts, int? payloadLength)
    {
        var withDts = PesTimestamp.Wrap(pts) != PesTimestamp.Wrap(dts);
        var dataLength = withDts ? 2 * TimestampLength : TimestampLength;
        var header = output.GetSpan(PesFixedHeaderLength + dataLength);
        header[0] = 0x00;
        header[1] = 0x00;
        header[2] = 0x01;
        header[3] = streamId;
        var pesPacketLength = payloadLength is { } length ? 3 + dataLength + length : 0;
        header[4] = (byte)(pesPacketLength >> 8);
        header[5] = (byte)pesPacketLength;
        header[6] = PesFlagsDataAligned;
        header[7] = withDts ? PtsAndDts : PtsOnly;
        header[8] = (byte)dataLength;
        PesTimestamp.Write(header[9..], withDts ? PesTimestamp.PtsWithDtsPrefix : PesTimestamp.PtsOnlyPrefix, pts);
        if (withDts)
        {
            PesTimestamp.Write(header[14..], PesTimestamp.DtsPrefix, dts);
        }

        output.Advance(PesFixedHeaderLength + dataLength);
    }

    //  Transport packet header (2.4.3.2):
    //  sync_byte 8 = 0x47
    //  transport_error_indicator 1 | payload_unit_start_indicator 1 | transport_priority 1 | PID 13
    //  transport_scrambling_control 2 | adaptation_field_control 2 (01 payload, 11 field + payload) | continuity_counter 4
    private static void WritePacketHeader(Span<byte> packet, int pid, bool payloadUnitStart, bool hasAdaptationField, ref byte counter)
    {
        packet[0] = TsPacket.SyncByte;
        packet[1] = (byte)((payloadUnitStart ? 0x40 : 0) | pid >> 8);
        packet[2] = (byte)pid;
        packet[3] = (byte)((hasAdaptationField ? 0x30 : 0x10) | counter);
        counter = (byte)((counter + 1) & 0x0F); // every packet we write has a payload
    }

    //  adaptation_field (2.4.3.4):
    //  adaptation_field_length 8 (bytes after this one; 0 = a single stuffing byte)
    //  discontinuity_indicator 1 | random_access_indicator 1 | elementary_stream_priority_indicator 1
    //    | PCR_flag 1 | OPCR_flag 1 | splicing_point_flag 1 | transport_private_data_flag 1 | adaptation_field_extension_flag 1
    //  [program_clock_reference_base 33 | reserved 6 | program_clock_reference_extension 9]   when PCR_flag
    //  stuffing_byte 0xFF ...
    /// <summary>
    /// Splits one PES into packets. The first carries PUSI and, when asked, an adaptation field with the
    /// PCR and the random access indicator; the last is padded with adaptation-field stuffing.
    /// </summary>
    private static void WritePackets(int pid, ref byte counter, ReadOnlySpan<byte> pes, long? pcr, bool randomAccess, IBufferWriter<byte> output)
    {
        var first = true;
        while (!pes.IsEmpty)
        {
            var flags = first ? (byte)((randomAccess ? AdaptationRandomAccess : 0) | (pcr.HasValue ? AdaptationPcr : 0)) : (byte)0;
            var fieldLength = flags != 0 ? 2 + (pcr.HasValue && first ? PcrFieldLength : 0) : 0;
            var payloadLength = Math.Min(TsPacket.BodyLength - fieldLength, pes.Length);
            fieldLength = TsPacket.BodyLength - payloadLength; // grow the field to stuff a short last packet

            var packet = output.GetSpan(TsPacket.Length)[..TsPacket.Length];
            WritePacketHeader(packet, pid, payloadUnitStart: first, hasAdaptationField: fieldLength > 0, ref counter);
            if (fieldLength > 0)
            {
                var field = packet.Slice(TsPacket.HeaderLength, fieldLength);
                field[0] = (byte)(fieldLength - 1);
                if (fieldLength > 1)
                {
                    field[1] = flags;
                    var used = 2;
                    if ((flags & AdaptationPcr) != 0)
                    {
                        WritePcr(field[2..], pcr!.Value);
                        used += PcrFieldLength;
                    }

                    field[used..].Fill(0xFF);
                }
            }

            pes[..payloadLength].CopyTo(packet[(TsPacket.HeaderLength + fieldLength)..]);
            output.Advance(TsPacket.Length);
            pes = pes[payloadLength..];
            first = false;
        }
    }

    // PCR = base × 300 + extension at 27 MHz; with a 90 kHz source the extension is 0.
    private static void WritePcr(Span<byte> destination, long ticks)
    {
        var pcrBase = PesTimestamp.Wrap(ticks);
        destination[0] = (byte)(pcrBase >> 25);
        destination[1] = (byte)(pcrBase >> 17);
        destination[2] = (byte)(pcrBase >> 9);
        destination[3] = (byte)(pcrBase >> 1);
        destination[4] = (byte)((pcrBase & 1) << 7 | 0x7E); // reserved 6 bits, extension high bit 0
        destination[5] = 0;
    }
}
