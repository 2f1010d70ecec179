namespace LiveRelay.Formats.Ts;

/// <summary>
/// Reads the header and adaptation field of 188-byte transport packets. The first piece of the
/// demuxer: it does no reassembly and keeps no state.
/// </summary>
public static class TsPacketReader
{
    //  sync_byte 8 = 0x47
    //  transport_error_indicator 1 | payload_unit_start_indicator 1 | transport_priority 1 | PID 13
    //  transport_scrambling_control 2 | adaptation_field_control 2 | continuity_counter 4
    //  [adaptation_field]: adaptation_field_length 8 | flags 8 (discontinuity, random_access, ES priority,
    //                      PCR, OPCR, splicing point, private data, extension) | [PCR 48] | ...
    //  [payload]
    /// <summary>
    /// Parses the packet at the start of <paramref name="packet"/>. Returns false, never throws, when fewer
    /// than 188 bytes are given, the sync byte is wrong, adaptation_field_control is the reserved '00',
    /// or the adaptation field does not fit the packet or is too short for its PCR.
    /// </summary>
    public static bool TryReadPacket(ReadOnlySpan<byte> packet, out TsPacketHeader header)
    {
        header = default;
        if (packet.Length < TsPacket.Length || packet[0] != TsPacket.SyncByte)
        {
            return false;
        }

        var pid = (packet[1] & 0x1F) << 8 | packet[2];
        var control = (packet[3] >> 4) & 0x3;
        if (control == 0)
        {
            return false;
        }

        var hasAdaptation = (control & 0x2) != 0;
        var hasPayload = (control & 0x1) != 0;
        var fieldLength = 0;
        bool discontinuity = false, randomAccess = false;
        long? pcr = null;
        if (hasAdaptation)
        {
            var length = packet[TsPacket.HeaderLength];
            var max = hasPayload ? TsPacket.BodyLength - 2 : TsPacket.BodyLength - 1; // 182 leaves a payload byte; 183 fills the packet
            if (length > max)
            {
                return false;
            }

            fieldLength = 1 + length;
            if (length > 0)
            {
                var flags = packet[TsPacket.HeaderLength + 1];
                discontinuity = (flags & 0x80) != 0;
                randomAccess = (flags & 0x40) != 0;
                if ((flags & 0x10) != 0)
                {
                    if (length < 7)
                    {
                        return false;
                    }

                    pcr = ReadPcr(packet.Slice(TsPacket.HeaderLength + 2, 6));
                }
            }
        }

        header = new TsPacketHeader(pid, (packet[1] & 0x40) != 0, packet[3] & 0x0F, hasPayload, fieldLength, discontinuity, randomAccess, pcr,
            TsPacket.HeaderLength + fieldLength);
        return true;
    }

    /// <summary>The payload of a packet parsed by <see cref="TryReadPacket"/> (empty when it has none).</summary>
    public static ReadOnlySpan<byte> GetPayload(ReadOnlySpan<byte> packet, in TsPacketHeader header) =>
        header.HasPayload ? packet[header.PayloadOffset..TsPacket.Length] : [];

    //  program_clock_reference_base 33 | reserved 6 | program_clock_reference_extension 9
    private static long ReadPcr(ReadOnlySpan<byte> field)
    {
        var pcrBase = (long)field[0] << 25 | (long)field[1] << 17 | (long)field[2] << 9 | (long)field[3] << 1 | (long)(field[4] >> 7);
        var extension = (field[4] & 0x1) << 8 | field[5];
        return pcrBase * TsPacket.PcrTicksPerClockTick + extension;
    }
}
