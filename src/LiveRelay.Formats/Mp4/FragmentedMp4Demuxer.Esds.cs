namespace LiveRelay.Formats.Mp4;

public sealed partial class FragmentedMp4Demuxer
{
    private const byte EsDescriptorTag = 0x03;
    private const byte DecoderConfigDescriptorTag = 0x04;
    private const byte DecoderSpecificInfoTag = 0x05;
    private const int DecoderConfigFixedLength = 13;
    private const byte Mpeg4Audio = 0x40;
    private const byte Mpeg2AacMain = 0x66;
    private const byte Mpeg2AacSsr = 0x68;

    //  esds: FullBox('esds', 0, 0) { ES_Descriptor }                      (ISO/IEC 14496-14 3.1.2)
    //  each descriptor (ISO/IEC 14496-1 8.3.3):
    //    tag 8 | sizeOfInstance: 1 to 4 bytes of 7 bits, the high bit set on every byte but the last | body
    //  ES_Descriptor (tag 0x03):
    //    ES_ID 16 | streamDependenceFlag 1 | URL_Flag 1 | OCRstreamFlag 1 | streamPriority 5
    //    [dependsOn_ES_ID 16] [URLlength 8 | URLstring 8[URLlength]] [OCR_ES_Id 16]
    //    DecoderConfigDescriptor (tag 0x04):
    //      objectTypeIndication 8 | streamType 6 | upStream 1 | reserved 1 | bufferSizeDB 24 | maxBitrate 32 | avgBitrate 32
    //      DecoderSpecificInfo (tag 0x05): the AudioSpecificConfig (objectTypeIndication 0x40, MPEG-2 AAC 0x66 to 0x68)
    //    SLConfigDescriptor (tag 0x06), ...
    /// <summary>
    /// The AudioSpecificConfig of an esds, or an empty span when the object type is not AAC
    /// (<paramref name="objectType"/> tells which it is).
    /// </summary>
    private static ReadOnlySpan<byte> ReadEsds(Mp4Box esds, uint trackId, out byte objectType)
    {
        var fields = esds.Fields();
        fields.ReadVersionAndFlags(maxVersion: 0);
        var es = FindDescriptor(fields.Rest, EsDescriptorTag, trackId);
        if (es.Length < 3)
        {
            throw BadEsds(trackId, "its ES_Descriptor is too short");
        }

        var flags = es[2];
        var offset = 3;
        if ((flags & 0x80) != 0)
        {
            offset += 2; // dependsOn_ES_ID
        }

        if ((flags & 0x40) != 0)
        {
            offset += offset < es.Length ? 1 + es[offset] : 1; // URLlength, URLstring
        }

        if ((flags & 0x20) != 0)
        {
            offset += 2; // OCR_ES_Id
        }

        if (offset > es.Length)
        {
            throw BadEsds(trackId, "its ES_Descriptor is too short");
        }

        var decoderConfig = FindDescriptor(es[offset..], DecoderConfigDescriptorTag, trackId);
        if (decoderConfig.Length < DecoderConfigFixedLength)
        {
            throw BadEsds(trackId, "its DecoderConfigDescriptor is too short");
        }

        objectType = decoderConfig[0];
        if (objectType is not (Mpeg4Audio or >= Mpeg2AacMain and <= Mpeg2AacSsr))
        {
            return [];
        }

        var specific = FindDescriptor(decoderConfig[DecoderConfigFixedLength..], DecoderSpecificInfoTag, trackId);
        if (specific.IsEmpty)
        {
            throw BadEsds(trackId, "its DecoderSpecificInfo is empty");
        }

        return specific;
    }

    /// <summary>The body of the first descriptor with <paramref name="tag"/> among those back to back in <paramref name="data"/>.</summary>
    private static ReadOnlySpan<byte> FindDescriptor(ReadOnlySpan<byte> data, byte tag, uint trackId)
    {
        while (!data.IsEmpty)
        {
            var found = data[0];
            var position = 1;
            var size = 0;
            for (var i = 0; ; i++)
            {
                if (i == 4 || position >= data.Length)
                {
                    throw BadEsds(trackId, $"descriptor 0x{found:x2} has a malformed size");
                }

                var b = data[position++];
                size = size << 7 | (b & 0x7F);
                if ((b & 0x80) == 0)
                {
                    break;
                }
            }

            if (size > data.Length - position)
            {
                throw BadEsds(trackId, $"descriptor 0x{found:x2} declares {size} bytes but {data.Length - position} are left");
            }

            if (found == tag)
            {
                return data.Slice(position, size);
            }

            data = data[(position + size)..];
        }

        throw BadEsds(trackId, $"it has no descriptor 0x{tag:x2}");
    }

    private static Mp4FormatException BadEsds(uint trackId, string detail) =>
        new(Mp4FormatError.InvalidCodecConfiguration, $"the esds of track {trackId} is malformed: {detail}");
}
