using System.Buffers;
using System.Buffers.Binary;

namespace LiveRelay.Codecs.H265;

public static partial class H265Nal
{
    private static ReadOnlySpan<byte> StartCodePrefix => [0x00, 0x00, 0x01];

    //  Annex B byte stream (ITU-T H.265 B.2):
    //  [zero_byte 00] 00 00 01 | NAL unit | [trailing_zero_8bits 00 ...] [00] 00 00 01 | NAL unit | ...
    //  A NAL unit never contains 00 00 00/01/02 (emulation prevention), so the next 00 00 01 ends it
    //  and zero bytes before a start code belong to the start code, not to the NAL unit.
    /// <summary>
    /// Converts an Annex B access unit (3- or 4-byte start codes) to the media model's form:
    /// NAL units with 4-byte big-endian length prefixes. Access unit delimiters and empty NAL units are dropped.
    /// </summary>
    /// <returns>False, having written nothing, when the input does not start with a start code (zero bytes may precede it).</returns>
    public static bool TryConvertAnnexBToHvcc(ReadOnlySpan<byte> annexB, IBufferWriter<byte> output)
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
            if (!nal.IsEmpty && GetNalType(nal[0]) != H265NalType.Aud)
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
}
