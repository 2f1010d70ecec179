using System.Globalization;
using LiveRelay.Formats.Hls;

namespace LiveRelay.Formats.Tests.Hls;

public class HlsPlaylistWriterTests
{
    [Fact]
    public void WriteMediaPlaylist_LivePlaylist_WritesHeaderAndSegments()
    {
        HlsSegmentEntry[] segments =
        [
            new(100, "seg100.ts", 6.006, null, false),
            new(101, "seg101.ts", 5.9944, null, false),
            new(102, "seg102.ts", 2, null, false),
        ];

        var text = HlsPlaylistWriter.WriteMediaPlaylist(6, 100, 0, segments, ended: false);

        Assert.Equal(
            "#EXTM3U\n" +
            "#EXT-X-VERSION:3\n" +
            "#EXT-X-TARGETDURATION:6\n" +
            "#EXT-X-MEDIA-SEQUENCE:100\n" +
            "#EXTINF:6.006,\n" +
            "seg100.ts\n" +
            "#EXTINF:5.994,\n" +
            "seg101.ts\n" +
            "#EXTINF:2.000,\n" +
            "seg102.ts\n",
            text);
    }

    [Fact]
    public void WriteMediaPlaylist_DiscontinuitiesDatesAndEnd_WritesEveryTag()
    {
        var utc = new DateTimeOffset(2024, 5, 6, 7, 8, 9, 10, TimeSpan.Zero);
        var plusTwo = new DateTimeOffset(2024, 5, 6, 9, 8, 15, 999, TimeSpan.FromHours(2));
        HlsSegmentEntry[] segments =
        [
            new(7, "a/7.ts", 4.0, utc, false),
            new(8, "https://cdn.example/8.ts?token=x", 4.0, plusTwo, true),
            new(9, "9.ts", 3.2, null, true),
        ];

        var text = HlsPlaylistWriter.WriteMediaPlaylist(4, 7, 3, segments, ended: true);

        Assert.Equal(
            "#EXTM3U\n" +
            "#EXT-X-VERSION:3\n" +
            "#EXT-X-TARGETDURATION:4\n" +
            "#EXT-X-MEDIA-SEQUENCE:7\n" +
            "#EXT-X-DISCONTINUITY-SEQUENCE:3\n" +
            "#EXT-X-PROGRAM-DATE-TIME:2024-05-06T07:08:09.010Z\n" +
            "#EXTINF:4.000,\n" +
            "a/7.ts\n" +
            "#EXT-X-DISCONTINUITY\n" +
            "#EXT-X-PROGRAM-DATE-TIME:2024-05-06T09:08:15.999+02:00\n" +
            "#EXTINF:4.000,\n" +
            "https://cdn.example/8.ts?token=x\n" +
            "#EXT-X-DISCONTINUITY\n" +
            "#EXTINF:3.200,\n" +
            "9.ts\n" +
            "#EXT-X-ENDLIST\n",
            text);
    }

    [Fact]
    public void WriteMediaPlaylist_NoSegments_WritesHeaderOnly()
    {
        var text = HlsPlaylistWriter.WriteMediaPlaylist(2, 0, 0, [], ended: false);

        Assert.Equal("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n", text);
    }

    [Fact]
    public void WriteMediaPlaylist_CommaDecimalCulture_StillUsesInvariantFormat()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            // The projects run with invariant globalization, so build a comma-decimal culture by hand.
            var commaCulture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            commaCulture.NumberFormat.NumberDecimalSeparator = ",";
            commaCulture.NumberFormat.NumberGroupSeparator = ".";
            CultureInfo.CurrentCulture = commaCulture;
            Assert.Equal("1,500", 1.5.ToString("0.000"));

            var text = HlsPlaylistWriter.WriteMediaPlaylist(2, 1_000_000, 0, [new(1_000_000, "x.ts", 1.5, null, false)], false);

            Assert.Contains("#EXTINF:1.500,\n", text);
            Assert.Contains("#EXT-X-MEDIA-SEQUENCE:1000000\n", text);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void WriteMediaPlaylist_NegativeOffsetAndRounding_FormatsMilliseconds()
    {
        var time = new DateTimeOffset(2023, 12, 31, 23, 59, 59, TimeSpan.FromHours(-5)).AddTicks(9_999); // 0.9999 ms truncates to .000

        var text = HlsPlaylistWriter.WriteMediaPlaylist(1, 0, 0, [new(0, "0.ts", 0.9996, time, false)], false);

        Assert.Contains("#EXT-X-PROGRAM-DATE-TIME:2023-12-31T23:59:59.000-05:00\n", text);
        Assert.Contains("#EXTINF:1.000,\n", text);
    }

    [Fact]
    public void WriteMediaPlaylist_SequenceGap_Throws()
    {
        HlsSegmentEntry[] segments = [new(5, "5.ts", 2, null, false), new(7, "7.ts", 2, null, false)];

        Assert.Throws<ArgumentException>(() => HlsPlaylistWriter.WriteMediaPlaylist(2, 5, 0, segments, false));
    }

    [Fact]
    public void WriteMediaPlaylist_FirstSequenceDiffersFromMediaSequence_Throws()
    {
        Assert.Throws<ArgumentException>(() => HlsPlaylistWriter.WriteMediaPlaylist(2, 4, 0, [new(5, "5.ts", 2, null, false)], false));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a.ts\n#EXT-X-ENDLIST")]
    [InlineData("a.ts\r")]
    public void WriteMediaPlaylist_BadUri_Throws(string uri)
    {
        Assert.Throws<ArgumentException>(() => HlsPlaylistWriter.WriteMediaPlaylist(2, 0, 0, [new(0, uri, 2, null, false)], false));
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void WriteMediaPlaylist_BadDuration_Throws(double duration)
    {
        Assert.Throws<ArgumentException>(() => HlsPlaylistWriter.WriteMediaPlaylist(2, 0, 0, [new(0, "0.ts", duration, null, false)], false));
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(2, -1, 0)]
    [InlineData(2, 0, -1)]
    public void WriteMediaPlaylist_OutOfRangeCounts_Throws(int target, long mediaSequence, long discontinuitySequence)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HlsPlaylistWriter.WriteMediaPlaylist(target, mediaSequence, discontinuitySequence, [], false));
    }

    [Fact]
    public void GetTargetDuration_Segments_ReturnsLargestRoundedDuration()
    {
        HlsSegmentEntry[] segments = [new(0, "0.ts", 5.4, null, false), new(1, "1.ts", 6.5, null, false), new(2, "2.ts", 3, null, false)];

        Assert.Equal(7, HlsPlaylistWriter.GetTargetDuration(segments));
        Assert.Equal(10, HlsPlaylistWriter.GetTargetDuration(segments, minimum: 10));
        Assert.Equal(1, HlsPlaylistWriter.GetTargetDuration([]));
    }

    [Fact]
    public void FormatDateTime_UtcAndOffset_UsesZOrNumericOffset()
    {
        Assert.Equal("2000-01-02T03:04:05.006Z", HlsPlaylistWriter.FormatDateTime(new DateTimeOffset(2000, 1, 2, 3, 4, 5, 6, TimeSpan.Zero)));
        Assert.Equal("2000-01-02T03:04:05.006+05:30", HlsPlaylistWriter.FormatDateTime(new DateTimeOffset(2000, 1, 2, 3, 4, 5, 6, new TimeSpan(5, 30, 0))));
    }
}
