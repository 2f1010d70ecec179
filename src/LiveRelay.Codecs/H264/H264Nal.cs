using System.Buffers;

namespace LiveRelay.Codecs.H264;

/// <summary>
/// H.264 NAL unit helpers: the payload form of the media model (length-prefixed access units)
/// to and from Annex B byte streams (MPEG-TS, SRT, raw .h264).
/// </summary>
public static partial class H264Nal
{
    //  +---+-------+-----------+
    //  |F  |NRI    |  Type     |   forbidden_zero_bit (1), nal_ref_idc (2), nal_unit_type (5)
    //  +---+-------+-----------+
    /// <summary>The <c>nal_unit_type</c> from a NAL header byte (see <see cref="H264NalType"/>).</summary>
    public static int GetNalType(byte header) => header & 0x1F;

    /// <summary>
    /// True when the length-prefixed access unit contains an IDR slice. A malformed length ends the
    /// scan: only NAL units before it count.
    /// </summary>
    /// <param name="avcc">The access unit: NAL units with big-endian length prefixes.</param>
    /// <param name="lengthSize">Bytes per length prefix, 1 to 4.</param>
    public static bool ContainsIdr(ReadOnlySpan<byte> avcc, int lengthSize) =>
        LengthPrefixedNalReader.ContainsRandomAccess<Syntax>(avcc, lengthSize);

    /// <summary>
    /// Converts one length-prefixed access unit to Annex B with 4-byte start codes. Writes an access
    /// unit delimiter first unless the access unit starts with one, and, when the access unit holds an
    /// IDR slice but no SPS, the SPS and PPS of <paramref name="config"/> right before the first IDR slice.
    /// Empty NAL units are dropped.
    /// </summary>
    /// <param name="avcc">The access unit: NAL units with big-endian length prefixes.</param>
    /// <param name="lengthSize">Bytes per length prefix, 1 to 4.</param>
    /// <param name="config">The track's configuration, for the parameter sets of IDR access units; null for none.</param>
    /// <param name="output">Receives the Annex B bytes.</param>
    /// <returns>False, having written nothing, when a length prefix is cut short or runs past the end.</returns>
    public static bool TryWriteAnnexB(ReadOnlySpan<byte> avcc, int lengthSize, AvcDecoderConfiguration? config, IBufferWriter<byte> output) =>
        AnnexB.TryWriteFromLengthPrefixed<Syntax, AvcDecoderConfiguration>(avcc, lengthSize, config, output);

    /// <summary>The H.264 part of the shared NAL unit code: header bytes, the delimiter, SPS and PPS before the IDR slice.</summary>
    private readonly struct Syntax : IAnnexBWriterSyntax<AvcDecoderConfiguration>
    {
        // Access unit delimiter: NAL header 0x09, primary_pic_type = 7 (any slice type), rbsp_stop_one_bit.
        public static ReadOnlySpan<byte> AccessUnitDelimiter => [0x00, 0x00, 0x00, 0x01, 0x09, 0xF0];

        public static bool IsAccessUnitDelimiter(byte firstHeaderByte) => GetNalType(firstHeaderByte) == H264NalType.Aud;

        public static bool IsRandomAccess(byte firstHeaderByte) => GetNalType(firstHeaderByte) == H264NalType.Idr;

        public static bool IsSps(byte firstHeaderByte) => GetNalType(firstHeaderByte) == H264NalType.Sps;

        // Right before the first IDR slice, after any SEI.
        public static bool IsParameterSetInsertionPoint(byte firstHeaderByte) => IsRandomAccess(firstHeaderByte);

        public static int ParameterSetsSize(AvcDecoderConfiguration config) =>
            AnnexB.NalsSize(config.Sps) + AnnexB.NalsSize(config.Pps);

        public static int WriteParameterSets(AvcDecoderConfiguration config, Span<byte> destination)
        {
            var written = AnnexB.WriteNals(config.Sps, destination);
            written += AnnexB.WriteNals(config.Pps, destination[written..]);
            return written;
        }
    }
}
