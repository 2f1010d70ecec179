using System.Buffers;
using System.Buffers.Binary;

namespace LiveRelay.Codecs.H264;

/// <summary>
/// H.264 NAL unit helpers: the payload form of the media model (length-prefixed access units)
/// to and from Annex B byte streams (MPEG-TS, SRT, raw .h264).
/// </summary>
public static partial class H264Nal
{
    private const int StartCodeLength = 4;

    // Access unit delimiter: NAL header 0x09, primary_pic_type = 7 (any slice type), rbsp_stop_one_bit.
    private static ReadOnlySpan<byte> AccessUnitDelimiter => [0x00, 0x00, 0x00, 0x01, 0x09, 0xF0];

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
    public static bool ContainsIdr(ReadOnlySpan<byte> avcc, int lengthSize)
    {
        var reader = new LengthPrefixedNalReader(avcc, lengthSize);
        while (reader.TryReadNext(out var nal))
        {
            if (!nal.IsEmpty && GetNalType(nal[0]) == H264NalType.Idr)
            {
                return true;
            }
        }

        return false;
    }

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
    public static bool TryWriteAnnexB(ReadOnlySpan<byte> avcc, int lengthSize, AvcDecoderConfiguration? config, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);

        // Pass 1: validate every length and size the output, so a bad access unit writes nothing.
        var reader = new LengthPrefixedNalReader(avcc, lengthSize);
        long size = 0;
        var first = true;
        var startsWithAud = false;
        var hasIdr = false;
        var hasSps = false;
        while (reader.TryReadNext(out var nal))
        {
            if (nal.IsEmpty)
            {
                continue;
            }

            var type = GetNalType(nal[0]);
            startsWithAud |= first && type == H264NalType.Aud;
            hasIdr |= type == H264NalType.Idr;
            hasSps |= type == H264NalType.Sps;
            first = false;
            size += StartCodeLength + nal.Length;
        }

        if (reader.IsMalformed)
        {
            return false;
        }

        var insertParameterSets = hasIdr && !hasSps && config is not null;
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

        reader = new LengthPrefixedNalReader(avcc, lengthSize);
        while (reader.TryReadNext(out var nal))
        {
            if (nal.IsEmpty)
            {
                continue;
            }

            if (insertParameterSets && GetNalType(nal[0]) == H264NalType.Idr)
            {
                written += WriteParameterSets(config!, destination[written..]);
                insertParameterSets = false;
            }

            written += WriteNal(nal, destination[written..]);
        }

        output.Advance(written);
        return true;
    }

    private static int ParameterSetsSize(AvcDecoderConfiguration config)
    {
        var size = 0;
        // Indexed loops: enumerating an IReadOnlyList would allocate on every keyframe.
        for (var i = 0; i < config.Sps.Count; i++)
        {
            size += StartCodeLength + config.Sps[i].Length;
        }

        for (var i = 0; i < config.Pps.Count; i++)
        {
            size += StartCodeLength + config.Pps[i].Length;
        }

        return size;
    }

    private static int WriteParameterSets(AvcDecoderConfiguration config, Span<byte> destination)
    {
        var written = 0;
        for (var i = 0; i < config.Sps.Count; i++)
        {
            written += WriteNal(config.Sps[i].Span, destination[written..]);
        }

        for (var i = 0; i < config.Pps.Count; i++)
        {
            written += WriteNal(config.Pps[i].Span, destination[written..]);
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
