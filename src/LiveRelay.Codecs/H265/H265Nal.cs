using System.Buffers;
using System.Buffers.Binary;
using LiveRelay.Codecs.H264;

namespace LiveRelay.Codecs.H265;

/// <summary>
/// H.265 NAL unit helpers: the payload form of the media model (length-prefixed access units, as in
/// HVCC) to and from Annex B byte streams (MPEG-TS, SRT, raw .hevc).
/// </summary>
public static partial class H265Nal
{
    private const int StartCodeLength = 4;

    // Access unit delimiter: NAL header 0x46 0x01 (type 35, nuh_layer_id 0, nuh_temporal_id_plus1 1),
    // then pic_type = 2 (I, P and B slices may be present) and the rbsp_stop_one_bit: 010 1 0000.
    private static ReadOnlySpan<byte> AccessUnitDelimiter => [0x00, 0x00, 0x00, 0x01, 0x46, 0x01, 0x50];

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
    public static bool ContainsIrap(ReadOnlySpan<byte> hvcc, int lengthSize)
    {
        var reader = new LengthPrefixedNalReader(hvcc, lengthSize);
        while (reader.TryReadNext(out var nal))
        {
            if (!nal.IsEmpty && IsIrap(GetNalType(nal[0])))
            {
                return true;
            }
        }

        return false;
    }

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
    public static bool TryWriteAnnexB(ReadOnlySpan<byte> hvcc, int lengthSize, HevcDecoderConfiguration? config, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);

        // Pass 1: validate every length and size the output, so a bad access unit writes nothing.
        var reader = new LengthPrefixedNalReader(hvcc, lengthSize);
        long size = 0;
        var first = true;
        var startsWithAud = false;
        var hasIrap = false;
        var hasSps = false;
        while (reader.TryReadNext(out var nal))
        {
            if (nal.IsEmpty)
            {
                continue;
            }

            var type = GetNalType(nal[0]);
            startsWithAud |= first && type == H265NalType.Aud;
            hasIrap |= IsIrap(type);
            hasSps |= type == H265NalType.Sps;
            first = false;
            size += StartCodeLength + nal.Length;
        }

        if (reader.IsMalformed)
        {
            return false;
        }

        var insertParameterSets = hasIrap && !hasSps && config is not null;
        if (!startsWithAud)
        {
            size += AccessUnitDelimiter.Length;
        }

        if (insertParameterSets)
        {
            size += ParameterSetsSize(config!);
        }

        if (size > Array.MaxLength)
        {
            return false;
        }

        // Pass 2: write.
        var destination = output.GetSpan((int)size);
        var written = 0;
        if (!startsWithAud)
        {
            AccessUnitDelimiter.CopyTo(destination);
            written = AccessUnitDelimiter.Length;
        }

        reader = new LengthPrefixedNalReader(hvcc, lengthSize);
        while (reader.TryReadNext(out var nal))
        {
            if (nal.IsEmpty)
            {
                continue;
            }

            if (insertParameterSets && GetNalType(nal[0]) != H265NalType.Aud)
            {
                written += WriteParameterSets(config!, destination[written..]);
                insertParameterSets = false;
            }

            written += WriteNal(nal, destination[written..]);
        }

        output.Advance(written);
        return true;
    }

    private static int ParameterSetsSize(HevcDecoderConfiguration config) =>
        ListSize(config.Vps) + ListSize(config.Sps) + ListSize(config.Pps);

    private static int WriteParameterSets(HevcDecoderConfiguration config, Span<byte> destination)
    {
        var written = WriteList(config.Vps, destination);
        written += WriteList(config.Sps, destination[written..]);
        written += WriteList(config.Pps, destination[written..]);
        return written;
    }

    // Indexed loops: enumerating an IReadOnlyList would allocate on every keyframe.
    private static int ListSize(IReadOnlyList<ReadOnlyMemory<byte>> nals)
    {
        var size = 0;
        for (var i = 0; i < nals.Count; i++)
        {
            size += StartCodeLength + nals[i].Length;
        }

        return size;
    }

    private static int WriteList(IReadOnlyList<ReadOnlyMemory<byte>> nals, Span<byte> destination)
    {
        var written = 0;
        for (var i = 0; i < nals.Count; i++)
        {
            written += WriteNal(nals[i].Span, destination[written..]);
        }

        return written;
    }

    private static int WriteNal(ReadOnlySpan<byte> nal, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, 1);
        nal.CopyTo(destination[StartCodeLength..]);
        return StartCodeLength + nal.Length;
    }
}
