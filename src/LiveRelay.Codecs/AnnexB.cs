using System.Buffers;
using System.Buffers.Binary;

namespace LiveRelay.Codecs;

/// <summary>
/// Annex B byte streams (MPEG-TS, SRT, raw .h264/.hevc) to and from the media model's payload form, NAL units
/// with big-endian length prefixes (AVCC/HVCC). The byte stream format is the same for H.264 (B.1) and H.265
/// (B.2); the codec comes in as a <see cref="INalSyntax"/> type argument.
/// </summary>
internal static class AnnexB
{
    /// <summary>The length of the start codes written, <c>00 00 00 01</c>, and of the length prefixes written.</summary>
    public const int StartCodeLength = 4;

    private static ReadOnlySpan<byte> StartCodePrefix => [0x00, 0x00, 0x01];

    //  Annex B byte stream (ITU-T H.264 B.1, H.265 B.2):
    //  [zero_byte 00] 00 00 01 | NAL unit | [trailing_zero_8bits 00 ...] [00] 00 00 01 | NAL unit | ...
    //  A NAL unit never contains 00 00 00/01/02 (emulation prevention), so the next 00 00 01 ends it
    //  and zero bytes before a start code belong to the start code, not to the NAL unit.
    /// <summary>
    /// Converts an Annex B access unit (3- or 4-byte start codes) to NAL units with 4-byte big-endian length
    /// prefixes. Access unit delimiters and empty NAL units are dropped.
    /// </summary>
    /// <returns>False, having written nothing, when the input does not start with a start code (zero bytes may precede it).</returns>
    public static bool TryConvertToLengthPrefixed<TSyntax>(ReadOnlySpan<byte> annexB, IBufferWriter<byte> output)
        where TSyntax : INalSyntax
    {
        ArgumentNullException.ThrowIfNull(output);

        var start = annexB.IndexOf(StartCodePrefix);
        if (start < 0 || annexB[..start].ContainsAnyExcept((byte)0))
        {
            return false;
        }

        var remaining = annexB[(start + StartCodePrefix.Length)..];
        while (true)
        {
            var next = remaining.IndexOf(StartCodePrefix);
            var nal = next < 0 ? remaining : remaining[..next];
            nal = nal.TrimEnd((byte)0);
            if (!nal.IsEmpty && !TSyntax.IsAccessUnitDelimiter(nal[0]))
            {
                var destination = output.GetSpan(StartCodeLength + nal.Length);
                BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)nal.Length);
                nal.CopyTo(destination[StartCodeLength..]);
                output.Advance(StartCodeLength + nal.Length);
            }

            if (next < 0)
            {
                return true;
            }

            remaining = remaining[(next + StartCodePrefix.Length)..];
        }
    }

    /// <summary>
    /// Converts one length-prefixed access unit to Annex B with 4-byte start codes. Writes the codec's access
    /// unit delimiter first unless the access unit starts with one and, when the access unit holds a random
    /// access slice but no SPS, the parameter sets of <paramref name="config"/> right before the first NAL unit
    /// the codec names as the insertion point. Empty NAL units are dropped.
    /// </summary>
    /// <param name="lengthPrefixed">The access unit: NAL units with big-endian length prefixes.</param>
    /// <param name="lengthSize">Bytes per length prefix, 1 to 4.</param>
    /// <param name="config">The track's configuration, for the parameter sets of random access units; null for none.</param>
    /// <param name="output">Receives the Annex B bytes.</param>
    /// <returns>False, having written nothing, when a length prefix is cut short or runs past the end.</returns>
    public static bool TryWriteFromLengthPrefixed<TSyntax, TConfig>(
        ReadOnlySpan<byte> lengthPrefixed, int lengthSize, TConfig? config, IBufferWriter<byte> output)
        where TSyntax : IAnnexBWriterSyntax<TConfig>
        where TConfig : class
    {
        ArgumentNullException.ThrowIfNull(output);

        // Pass 1: validate every length and size the output, so a bad access unit writes nothing.
        var reader = new LengthPrefixedNalReader(lengthPrefixed, lengthSize);
        long size = 0;
        var first = true;
        var startsWithAud = false;
        var hasRandomAccess = false;
        var hasSps = false;
        while (reader.TryReadNext(out var nal))
        {
            if (nal.IsEmpty)
            {
                continue;
            }

            startsWithAud |= first && TSyntax.IsAccessUnitDelimiter(nal[0]);
            hasRandomAccess |= TSyntax.IsRandomAccess(nal[0]);
            hasSps |= TSyntax.IsSps(nal[0]);
            first = false;
            size += StartCodeLength + nal.Length;
        }

        if (reader.IsMalformed)
        {
            return false;
        }

        var insertParameterSets = hasRandomAccess && !hasSps && config is not null;
        if (!startsWithAud)
        {
            size += TSyntax.AccessUnitDelimiter.Length;
        }

        if (insertParameterSets)
        {
            size += TSyntax.ParameterSetsSize(config!);
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
            TSyntax.AccessUnitDelimiter.CopyTo(destination);
            written = TSyntax.AccessUnitDelimiter.Length;
        }

        reader = new LengthPrefixedNalReader(lengthPrefixed, lengthSize);
        while (reader.TryReadNext(out var nal))
        {
            if (nal.IsEmpty)
            {
                continue;
            }

            if (insertParameterSets && TSyntax.IsParameterSetInsertionPoint(nal[0]))
            {
                written += TSyntax.WriteParameterSets(config!, destination[written..]);
                insertParameterSets = false;
            }

            written += WriteNal(nal, destination[written..]);
        }

        output.Advance(written);
        return true;
    }

    /// <summary>The bytes <see cref="WriteNals"/> writes for <paramref name="nals"/>.</summary>
    public static int NalsSize(IReadOnlyList<ReadOnlyMemory<byte>> nals)
    {
        // Indexed loops: enumerating an IReadOnlyList would allocate on every keyframe.
        var size = 0;
        for (var i = 0; i < nals.Count; i++)
        {
            size += StartCodeLength + nals[i].Length;
        }

        return size;
    }

    /// <summary>Writes each NAL unit of <paramref name="nals"/> after a 4-byte start code; returns the bytes written.</summary>
    public static int WriteNals(IReadOnlyList<ReadOnlyMemory<byte>> nals, Span<byte> destination)
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
