using LiveRelay.Formats.Hls;
using LiveRelay.Formats.Sdp;
using Xunit.Abstractions;

namespace LiveRelay.Formats.Tests.Fuzzing;

/// <summary>The HLS playlist reader and the SDP parser under mutated text (mutated as UTF-8 bytes, decoded leniently).</summary>
public sealed class PlaylistSdpFuzzTests(ITestOutputHelper output)
{
    private static readonly Uri s_base = new("http://cdn.example.com/live/cam/index.m3u8");

    private static readonly byte[][] s_hlsTokens = Fuzz.Utf8(
        "#EXTM3U\n", "\n", "\r\n", "#EXTINF:", "#EXT-X-MAP:URI=\"", "#EXT-X-STREAM-INF:BANDWIDTH=", "#EXT-X-MEDIA-SEQUENCE:", "#EXT-X-TARGETDURATION:",
        "#EXT-X-DISCONTINUITY\n", "#EXT-X-ENDLIST\n", ",BYTERANGE=1@0", "URI=", "\"", ",", ":", "http://", "https://[", "//", "../", "%", "%zz", "?", "#",
        "\\", "file:///", "a:b", "mailto:", " ", "\t", "9223372036854775807", "99999999999999999999", "-1", "1e308", "NaN", "\u00e9", "\uD83D\uDE00");

    private static readonly byte[][] s_sdpTokens = Fuzz.Utf8(
        "m=", "m=video 0 RTP/AVP 96\n", "a=rtpmap:", "a=fmtp:", "a=control:", " 96 ", "96 H264/90000", "/", ";", "=", "\r\n", "\n", "RTP/AVP", " 127",
        " 128", "99999999999", "-1", " ", "\t", "\u00e9");

    // HlsPlaylistReader.Parse documents InvalidDataException for "a file that is not a playlist"; a playlist is at
    // most 1 MiB and 10,000 entries. The bound allows 1 KiB per input byte: every one-character line can become
    // an absolute Uri (a few hundred bytes) plus its record.
    internal static FuzzTarget HlsTarget => new()
    {
        Name = "HlsPlaylistReader.Parse",
        Index = 6,
        Seeds = Fuzz.Utf8(
            "#EXTM3U\r\n#EXT-X-VERSION:3\r\n#EXT-X-TARGETDURATION:2\r\n#EXT-X-MEDIA-SEQUENCE:41\r\n#EXTINF:2.000,\r\nseg41.ts\r\n#EXT-X-DISCONTINUITY\r\n#EXTINF:1.960,title\r\n/other/seg42.ts?x=1\r\n",
            "#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=640x360,BANDWIDTH=800000,CODECS=\"avc1.64001e,mp4a.40.2\"\nlow/index.m3u8\n#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=1,BANDWIDTH=2500000\nhttps://other.example.com/high.m3u8\n",
            "\uFEFF#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4,\na.m4s\n#EXTINF:3.5,\nb.m4s\n#EXT-X-ENDLIST\n",
            HlsPlaylistWriter.WriteMediaPlaylist(2, 7, 1,
            [
                new HlsSegmentEntry(7, "seg7.ts", 2.0, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), false),
                new HlsSegmentEntry(8, "seg8.ts", 1.5, null, true),
            ], ended: false)),
        Iterations = 15_000,
        Parse = input => HlsPlaylistReader.Parse(Fuzz.Text(input), s_base) is { } playlist && playlist.Segments.Count + playlist.Variants.Count > 0,
        IsDocumented = e => e is InvalidDataException,
        AllocationPerByte = 1024,
        Dictionary = s_hlsTokens,
        Corpus = Corpus.HlsPlaylistReader,
    };

    // SessionDescription.Parse documents InvalidDataException for a malformed media line, too many media sections
    // or a text over 64 Ki characters.
    internal static FuzzTarget SdpTarget => new()
    {
        Name = "SessionDescription.Parse",
        Index = 7,
        Seeds = Fuzz.Utf8(
            "v=0\r\no=- 1109162014219182 1109162014219192 IN IP4 192.168.1.64\r\ns=Media Presentation\r\ne=NONE\r\nb=AS:5050\r\nt=0 0\r\n"
            + "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/?transportmode=unicast\r\n"
            + "m=video 0 RTP/AVP 96\r\nc=IN IP4 0.0.0.0\r\nb=AS:5000\r\na=recvonly\r\na=x-dimensions:1920,1080\r\n"
            + "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast\r\n"
            + "a=rtpmap:96 H264/90000\r\na=fmtp:96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z00AKp2oHgCJ+WbgICAgQA==,aO48gA==\r\n"
            + "m=audio 0 RTP/AVP 8\r\nc=IN IP4 0.0.0.0\r\nb=AS:50\r\na=recvonly\r\n"
            + "a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=2?transportmode=unicast\r\na=rtpmap:8 PCMA/8000\r\n",
            "v=0\no=- 2251939460 2251939460 IN IP4 0.0.0.0\ns=Media Server\nc=IN IP4 0.0.0.0\nt=0 0\na=control:*\n"
            + "m=video 0 RTP/AVP 96\na=control:trackID=0\na=framerate:25.000000\na=rtpmap:96 H264/90000\na=fmtp:96 packetization-mode=1;profile-level-id=4D002A\n"
            + "m=audio 0 RTP/AVP 97\na=control:trackID=1\na=rtpmap:97 MPEG4-GENERIC/48000/2\n"
            + "a=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1190\n",
            "v=0\r\ns=H265\r\nt=0 0\r\nm=video 0 RTP/AVP 98\r\na=rtpmap:98 H265/90000\r\n"
            + "a=fmtp:98 sprop-vps=QAEMAf//AWAAAAMAkAAAAwAAAwA/lZgJ; sprop-sps=QgEBAWAAAAMAkAAAAwAAAwA/oAUCAWllmaSTK8BaAgAAAwACAAADAyE=; sprop-pps=RAHBcrRiQA==; sprop-max-don-diff=0\r\n"
            + "a=control:track1\r\nm=audio 0 RTP/AVP 99\r\na=rtpmap:99 MP4A-LATM/48000/2\r\na=fmtp:99 profile-level-id=1;cpresent=0;config=400023203fc0\r\na=control:track2\r\n"),
        Iterations = 20_000,
        Parse = input => SessionDescription.Parse(Fuzz.Text(input)).Media.Count > 0,
        IsDocumented = e => e is InvalidDataException,
        Dictionary = s_sdpTokens,
        Corpus = Corpus.SessionDescription,
    };

    [Fact]
    public void Parse_MutatedPlaylist_ThrowsOnlyInvalidDataException() => Fuzz.Run(HlsTarget, output);

    [Fact]
    public void Parse_MutatedSdp_ThrowsOnlyInvalidDataException() => Fuzz.Run(SdpTarget, output);

    [Fact]
    public void Replay_PlaylistCorpus_ThrowsOnlyInvalidDataException() => Fuzz.Replay(HlsTarget);
}
