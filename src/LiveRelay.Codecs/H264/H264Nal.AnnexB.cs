using System.Buffers;

namespace LiveRelay.Codecs.H264;

public static partial class H264Nal
{
    /// <summary>
    /// Converts an Annex B access unit (3- or 4-byte start codes, ITU-T H.264 B.1) to the media model's form:
    /// NAL units with 4-byte big-endian length prefixes. Access unit delimiters and empty NAL units are dropped.
    /// </summary>
    /// <returns>False, having written nothing, when the input does not start with a start code (zero bytes may precede it).</returns>
    public static bool TryConvertAnnexBToAvcc(ReadOnlySpan<byte> annexB, IBufferWriter<byte> output) =>
        AnnexB.TryConvertToLengthPrefixed<Syntax>(annexB, output);
}
