using System.Buffers;

namespace LiveRelay.Codecs.H265;

/// <summary>
/// H.265 NAL unit helpers: the payload form of the media model (length-prefixed access units, as in
/// HVCC) to and from Annex B byte streams (MPEG-TS, SRT, raw .hevc).
/// </summary>
public static partial class H265Nal
{
    //  +---+-----------+-------------+---------+
    //  |F  |   Type    |  LayerId    |  TID    |   forbidden_zero_bit (1), nal_unit_type (6),
    //  +---+-----------+-------------+---------+   nuh_layer_id (6), nuh_temporal_id_plus1 (3)
    //  | byte 0            | byte 1            |
    /// <summary>The <c>nal_unit_type</c> from the first NAL header byte (see <see cref="H265NalType"/>).</summary>
    public static int GetNalType(byte header) => (header >> 1) & 0x3F;

    /// <summary>True for the intra random access point types 16 to 23 (BLA, IDR, CRA, reserved IRAP): keyframes.</summary>
    public static bool IsIrap(int nalType) => nalType is >= H265NalType.FirstIrap and <= H265NalType.LastIrap;

    /// <summary>
    /// True when the length-prefixed access unit contains an IRAP slice. A malformed length ends the
    /// scan: only NAL units before it count.
    /// </summary>
    /// <param name="hvcc">The access unit: NAL units with big-endian length prefixes.</param>
    /// <param name="lengthSize">Bytes per length prefix, 1 to 4.</param>
    public static bool ContainsIrap(ReadOnlySpan<byte> hvcc, int lengthSize) =>
        LengthPrefixedNalReader.ContainsRandomAccess<Syntax>(hvcc, lengthSize);

    /// <summary>
    /// Converts one length-prefixed access unit to Annex B with 4-byte start codes. Writes an access
    /// unit delimiter first unless the access unit starts with one and, when the access unit holds an
    /// IRAP slice but no SPS, the VPS, SPS and PPS of <paramref name="config"/> right after the delimiter
    /// (before any SEI that may refer to them). Empty NAL units are dropped.
    /// </summary>
    /// <param name="hvcc">The access unit: NAL units with big-endian length prefixes.</param>
    /// <param name="lengthSize">Bytes per length prefix, 1 to 4.</param>
    /// <param name="config">The track's configuration, for the parameter sets of IRAP access units; null for none.</param>
    /// <param name="output">Receives the Annex B bytes.</param>
    /// <returns>False, having written nothing, when a length prefix is cut short or runs past the end.</returns>
    public static bool TryWriteAnnexB(ReadOnlySpan<byte> hvcc, int lengthSize, HevcDecoderConfiguration? config, IBufferWriter<byte> output) =>
        AnnexB.TryWriteFromLengthPrefixed<Syntax, HevcDecoderConfiguration>(hvcc, lengthSize, config, output);

    /// <summary>The H.265 part of the shared NAL unit code: header bytes, the delimiter, VPS, SPS and PPS after the delimiter.</summary>
    private readonly struct Syntax : IAnnexBWriterSyntax<HevcDecoderConfiguration>
    {
        // Access unit delimiter: NAL header 0x46 0x01 (type 35, nuh_layer_id 0, nuh_temporal_id_plus1 1),
        // then pic_type = 2 (I, P and B slices may be present) and the rbsp_stop_one_bit: 010 1 0000.
        public static ReadOnlySpan<byte> AccessUnitDelimiter => [0x00, 0x00, 0x00, 0x01, 0x46, 0x01, 0x50];

        public static bool IsAccessUnitDelimiter(byte firstHeaderByte) => GetNalType(firstHeaderByte) == H265NalType.Aud;

        public static bool IsRandomAccess(byte firstHeaderByte) => IsIrap(GetNalType(firstHeaderByte));

        public static bool IsSps(byte firstHeaderByte) => GetNalType(firstHeaderByte) == H265NalType.Sps;

        // Right after the delimiter(s), before anything else (an SEI may refer to the parameter sets).
        public static bool IsParameterSetInsertionPoint(byte firstHeaderByte) => !IsAccessUnitDelimiter(firstHeaderByte);

        public static int ParameterSetsSize(HevcDecoderConfiguration config) =>
            AnnexB.NalsSize(config.Vps) + AnnexB.NalsSize(config.Sps) + AnnexB.NalsSize(config.Pps);

        public static int WriteParameterSets(HevcDecoderConfiguration config, Span<byte> destination)
        {
            var written = AnnexB.WriteNals(config.Vps, destination);
            written += AnnexB.WriteNals(config.Sps, destination[written..]);
            written += AnnexB.WriteNals(config.Pps, destination[written..]);
            return written;
        }
    }
}
