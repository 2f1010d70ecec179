using System.Buffers;

namespace LiveRelay.Codecs.H265;

public static partial class H265Nal
{
    /// <summary>
    /// Converts an Annex B access unit (3- or 4-byte start codes, ITU-T H.265 B.2) to the media model's form:
    /// NAL units with 4-byte big-endian length prefixes. Access unit delimiters and empty NAL units are dropped.
    /// </summary>
    /// <returns>False, having written nothing, when the input does not start with a start code (zero bytes may precede it).</returns>
    public static bool TryConvertAnnexBToHvcc(ReadOnlySpan<byte> annexB, IBufferWriter<byte> output) =>
        AnnexB.TryConvertToLengthPrefixed<Syntax>(annexB, output);
}
