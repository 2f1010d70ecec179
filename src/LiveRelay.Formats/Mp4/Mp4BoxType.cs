namespace LiveRelay.Formats.Mp4;

/// <summary>
/// The four-character codes (as big-endian 32-bit values) of the ISO BMFF boxes, handlers and sample
/// entries the fMP4 demuxer reads (ISO/IEC 14496-12, 14496-14, 14496-15).
/// </summary>
public static class Mp4BoxType
{
    public const uint Ftyp = 0x66747970;
    public const uint Moov = 0x6D6F6F76;
    public const uint Trak = 0x7472616B;
    public const uint Tkhd = 0x746B6864;
    public const uint Mdia = 0x6D646961;
    public const uint Mdhd = 0x6D646864;
    public const uint Hdlr = 0x68646C72;
    public const uint Minf = 0x6D696E66;
    public const uint Stbl = 0x7374626C;
    public const uint Stsd = 0x73747364;
    public const uint Mvex = 0x6D766578;
    public const uint Trex = 0x74726578;
    public const uint Moof = 0x6D6F6F66;
    public const uint Mfhd = 0x6D666864;
    public const uint Traf = 0x74726166;
    public const uint Tfhd = 0x74666864;
    public const uint Tfdt = 0x74666474;
    public const uint Trun = 0x7472756E;
    public const uint Mdat = 0x6D646174;
    public const uint Uuid = 0x75756964;

    // Sample entries and their configuration boxes.
    public const uint Avc1 = 0x61766331;
    public const uint Avc3 = 0x61766333;
    public const uint AvcC = 0x61766343;
    public const uint Hvc1 = 0x68766331;
    public const uint Hev1 = 0x68657631;
    public const uint HvcC = 0x68766343;
    public const uint Mp4a = 0x6D703461;
    public const uint Esds = 0x65736473;

    // hdlr handler_type values.
    public const uint Video = 0x76696465; // 'vide'
    public const uint Sound = 0x736F756E; // 'soun'

    /// <summary>The code as text, e.g. <c>moov</c>; bytes outside printable ASCII as <c>0x6D6F6F00</c>.</summary>
    public static string ToString(uint type)
    {
        Span<char> chars = stackalloc char[4];
        for (var i = 0; i < 4; i++)
        {
            var c = (char)(byte)(type >> (24 - 8 * i));
            if (c is < ' ' or > '~')
            {
                return $"0x{type:X8}";
            }

            chars[i] = c;
        }

        return new string(chars);
    }
}
