namespace LiveRelay.Formats.Tests.Fuzzing;

/// <summary>
/// Inputs that once made a parser fail, one hex string per entry, replayed before the mutants of that parser's fuzz
/// test (and, for a parser with an open bug, by a replay test of its own). Kept in code rather than in
/// <c>Corpus/*.txt</c> files because the test project does not copy content files to its output.
/// To add one, copy the <c>input (N bytes): …</c> hex from the failure message.
/// </summary>
internal static class Corpus
{
    public static readonly string[] Amf0Reader = [];

    public static readonly string[] FlvFile = [];

    public static readonly string[] FlvMediaReader = [];

    public static readonly string[] TsPacketReader = [];

    // Once a bug (fixed: CreateVideoTrack checks the 16-bit limits), vector too large to keep as hex (67 KB): built by TsFuzzTests.LongPpsStream and replayed by
    // TsFuzzTests.Push_H264PpsLongerThan65535Bytes_NeverThrows.
    public static readonly string[] TsDemuxer = [];

    // Once a bug (fixed): UriFormatException from new Uri(playlistUri, ...) in HlsPlaylistReader.Parse; now InvalidDataException.
    public static readonly string[] HlsPlaylistReader =
    [
        // Found at iteration 90 of seed 20261208: a variant URI line "https://other\0example.com/high.m3u8".
        "234558544D33550A234558542D582D53545245414D2D494E463A5245534F4C5554494F4E3D363430783336302C42414E4457494454524147452D42414E4457494454483D312C42414E4457494454483D323530303030300A68747470733A2F2F6F74686572006578616D706C652E636F6D2F686967682E6D3375380A",

        // The same line, minimized: "#EXTM3U\nhttps://other\0example.com/high.m3u8\n".
        "234558544D33550A68747470733A2F2F6F74686572006578616D706C652E636F6D2F686967682E6D3375380A",

        // Hand-written, the other call: #EXT-X-MAP:URI="http://[x".
        "234558544D33550A234558542D582D4D41503A5552493D22687474703A2F2F5B78220A23455854494E463A342C0A612E6D34730A",
    ];

    public static readonly string[] SessionDescription = [];

    // Once a bug (fixed: repeated headers are joined once), vector built by RtspFuzzTests.RepeatedHeaderResponse and replayed by
    // RtspFuzzTests.TryReadResponse_RepeatedHeaderName_AllocatesLinearly.
    public static readonly string[] RtspReader = [];

    public static readonly string[] RtspHeaders = [];

    public static readonly string[] RtpPacket = [];

    public static readonly string[] H264RtpDepacketizer = [];

    public static readonly string[] H265RtpDepacketizer = [];

    public static readonly string[] Mp4aLatmConfig = [];

    public static readonly string[] Mp4aLatmDepacketizer = [];

    public static readonly string[] Rtcp = [];

    public static readonly string[] RtpReorderBuffer = [];

    public static readonly string[] Fmp4Init = [];

    public static readonly string[] Fmp4Segment = [];

    public static readonly string[] H264Sps = [];

    public static readonly string[] H265Sps = [];

    public static readonly string[] AvcDecoderConfiguration = [];

    public static readonly string[] HevcDecoderConfiguration = [];

    public static readonly string[] AudioSpecificConfig = [];

    public static readonly string[] Adts = [];

    public static readonly string[] AnnexB = [];
}
