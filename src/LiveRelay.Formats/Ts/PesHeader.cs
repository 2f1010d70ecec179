namespace LiveRelay.Formats.Ts;

/// <summary>The fields of a PES packet header the relay uses.</summary>
/// <param name="StreamId">stream_id (0xE0–0xEF video, 0xC0–0xDF audio).</param>
/// <param name="PacketLength">PES_packet_length: bytes after this field; 0 for an unbounded video PES.</param>
/// <param name="Pts">Presentation timestamp, 90 kHz, 33 bits, when present.</param>
/// <param name="Dts">Decode timestamp, 90 kHz, 33 bits, when present.</param>
/// <param name="HeaderLength">Bytes before the elementary stream data.</param>
/// <param name="DataAlignment">data_alignment_indicator.</param>
public readonly record struct PesHeader(int StreamId, int PacketLength, long? Pts, long? Dts, int HeaderLength, bool DataAlignment)
{
    private const int FixedLength = 9;

    //  packet_start_code_prefix 24 = 0x000001 | stream_id 8 | PES_packet_length 16
    //  '10' | scrambling 2 | priority 1 | data_alignment_indicator 1 | copyright 1 | original_or_copy 1
    //  PTS_DTS_flags 2 | ESCR 1 | ES_rate 1 | DSM_trick_mode 1 | additional_copy_info 1 | PES_CRC 1 | PES_extension 1
    //  PES_header_data_length 8 | optional fields (PTS, DTS ...) and stuffing
    /// <summary>
    /// Parses the header at the start of a reassembled PES. Returns false, never throws, when it is
    /// truncated, the start code or the '10' bits are wrong, PTS_DTS_flags is '01', a marker bit is 0,
    /// or the stream id has no optional header (padding, private_stream_2 ...).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> pes, out PesHeader header)
    {
        header = default;
        if (pes.Length < FixedLength || pes[0] != 0 || pes[1] != 0 || pes[2] != 1)
        {
            return false;
        }

        var streamId = pes[3];
        if (streamId is 0xBC or 0xBE or 0xBF or 0xF0 or 0xF1 or 0xF2 or 0xF8 or 0xFF || (pes[6] & 0xC0) != 0x80)
        {
            return false;
        }

        var ptsDtsFlags = pes[7] >> 6;
        var headerLength = FixedLength + pes[8];
        var needed = FixedLength + ptsDtsFlags switch { 2 => 5, 3 => 10, _ => 0 };
        if (ptsDtsFlags == 1 || pes.Length < headerLength || headerLength < needed)
        {
            return false;
        }

        long? pts = null, dts = null;
        if (ptsDtsFlags >= 2)
        {
            if (!PesTimestamp.TryRead(pes[9..], out var value))
            {
                return false;
            }

            pts = value;
        }

        if (ptsDtsFlags == 3)
        {
            if (!PesTimestamp.TryRead(pes[14..], out var value))
            {
                return false;
            }

            dts = value;
        }

        header = new PesHeader(streamId, pes[4] << 8 | pes[5], pts, dts, headerLength, (pes[6] & 0x04) != 0);
        return true;
    }
}
