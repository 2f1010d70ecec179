using LiveRelay.Formats.Hls;

namespace LiveRelay.Formats.Tests.Hls;

public sealed class HlsPlaylistReaderTests
{
    private static readonly Uri s_base = new("http://cdn.example.com/live/cam/index.m3u8");

    [Fact]
    public void Parse_MediaPlaylist_ReadsSequenceDurationsDiscontinuityAndResolvesUris()
    {
        const string text = "#EXTM3U\r\n#EXT-X-VERSION:3\r\n#EXT-X-TARGETDURATION:2\r\n#EXT-X-MEDIA-SEQUENCE:41\r\n#EXTINF:2.000,\r\nseg41.ts\r\n#EXT-X-DISCONTINUITY\r\n#EXTINF:1.960,title\r\n/other/seg42.ts?x=1\r\n";

        var playlist = HlsPlaylistReader.Parse(text, s_base);

        Assert.False(playlist.IsMaster);
        Assert.Equal(2, playlist.TargetDurationSeconds);
        Assert.False(playlist.EndList);
        Assert.Equal(
            [new HlsSegment(41, new Uri("http://cdn.example.com/live/cam/seg41.ts"), 2.0, false), new HlsSegment(42, new Uri("http://cdn.example.com/other/seg42.ts?x=1"), 1.96, true)],
            playlist.Segments);
    }

    [Fact]
    public void Parse_MasterPlaylist_ReadsVariantsWithBandwidth()
    {
        const string text = "#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=640x360,BANDWIDTH=800000,CODECS=\"avc1.64001e,mp4a.40.2\"\nlow/index.m3u8\n#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=1,BANDWIDTH=2500000\nhttps://other.example.com/high.m3u8\n";

        var playlist = HlsPlaylistReader.Parse(text, s_base);

        Assert.True(playlist.IsMaster);
        Assert.Equal(
            [new HlsVariant(new Uri("http://cdn.example.com/live/cam/low/index.m3u8"), 800_000), new HlsVariant(new Uri("https://other.example.com/high.m3u8"), 2_500_000)],
            playlist.Variants);
    }

    [Fact]
    public void Parse_EndListAndMap_AreReported()
    {
        var playlist = HlsPlaylistReader.Parse("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:4,\na.m4s\n#EXT-X-ENDLIST\n", s_base);

        Assert.True(playlist.EndList);
        Assert.True(playlist.HasInitSection);
    }

    [Theory]
    [InlineData("<html>not found</html>", "first line is not #EXTM3U")]
    [InlineData("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:-5\n", "EXT-X-MEDIA-SEQUENCE is not a number")]
    [InlineData("#EXTM3U\n#EXTINF:NaN,\na.ts\n", "EXTINF is not a duration")]
    public void Parse_BrokenPlaylist_ThrowsWithTheReason(string text, string reason)
    {
        var error = Assert.Throws<InvalidDataException>(() => HlsPlaylistReader.Parse(text, s_base));

        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Parse_Fmp4Playlist_GivesEachSegmentItsInitSection()
    {
        var playlist = HlsPlaylistReader.Parse(
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:3\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:1.0,\nstream3.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init-2.mp4\"\n#EXTINF:1.0,\nstream4.m4s\n",
            new Uri("http://cam.example.com/live/stream.m3u8"));

        Assert.True(playlist.HasInitSection);
        Assert.Equal(new Uri("http://cam.example.com/live/init.mp4"), playlist.Segments[0].Map);
        Assert.Equal(new Uri("http://cam.example.com/live/init-2.mp4"), playlist.Segments[1].Map);
        Assert.True(playlist.Segments[1].Discontinuity);
    }

    [Theory]
    [InlineData("#EXT-X-MAP:BYTERANGE=\"720@0\",URI=\"main.mp4\"", "BYTERANGE")]
    [InlineData("#EXT-X-MAP:FOO=1", "without a URI")]
    public void Parse_MapItCannotRead_Throws(string map, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => HlsPlaylistReader.Parse($"#EXTM3U\n{map}\n#EXTINF:1,\na.m4s\n", new Uri("http://h/p.m3u8")));

        Assert.Contains(expected, error.Message);
    }
}
