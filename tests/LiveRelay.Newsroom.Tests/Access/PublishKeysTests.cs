using LiveRelay.Newsroom.Access;
using LiveRelay.Newsroom.Model;

namespace LiveRelay.Newsroom.Tests.Access;

public sealed class PublishKeysTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Check_EveryOutcome_NamesTheFeed()
    {
        var keys = new PublishKeys();
        var feed = new Feed("f1", null, "Cam 1", "live/cam1", "right-key-0001", null, T0, "passphrase-123", Takeover: true);
        keys.Load([feed, new Feed("f2", null, "Revoked", "live/gone", null, null, T0), new Feed("f3", null, "Pulled", "live/pulled", null, "rtsp://10.0.0.9/cam", T0)]);

        Assert.Equal(new KeyCheck(KeyResult.Valid, feed), keys.Check("live/cam1", "right-key-0001"));
        Assert.Equal(KeyResult.Wrong, keys.Check("live/cam1", "right-key-0002").Result);
        Assert.Equal(KeyResult.Wrong, keys.Check("live/cam1", "right-key-000").Result);
        Assert.Equal(KeyResult.Missing, keys.Check("live/cam1", null).Result);
        Assert.Equal(KeyResult.Missing, keys.Check("live/cam1", "").Result);
        Assert.Equal(KeyResult.Revoked, keys.Check("live/gone", "anything-at-all").Result);
        Assert.Equal(KeyResult.NoFeed, keys.Check("live/pulled", null).Result);
        Assert.Equal(KeyResult.NoFeed, keys.Check("live/other", "right-key-0001").Result);
        Assert.True(keys.Claims("live/gone"));
        Assert.False(keys.Claims("live/pulled"));
    }

    [Fact]
    public void SetAndRemove_TakeEffectAtOnce_TwoFeedsOnOnePathEachPublish()
    {
        var keys = new PublishKeys();
        var first = new Feed("f1", null, "Cam", "live/cam", "first-key-0001", null, T0);
        var second = new Feed("f2", null, "Backup", "live/cam", "second-key-002", null, T0.AddSeconds(1));
        keys.Set(first);
        keys.Set(second);

        Assert.Equal(first, keys.Check("live/cam", "first-key-0001").Feed);
        Assert.Equal(second, keys.Check("live/cam", "second-key-002").Feed);

        keys.Set(first with { PublishKey = "rotated-key-03" });
        Assert.Equal(KeyResult.Wrong, keys.Check("live/cam", "first-key-0001").Result);
        Assert.Equal(KeyResult.Valid, keys.Check("live/cam", "rotated-key-03").Result);

        keys.Remove("f1");
        keys.Remove("f2");
        Assert.Equal(KeyResult.NoFeed, keys.Check("live/cam", "second-key-002").Result);
    }

    [Fact]
    public void Check_LongAndNonAsciiKeys_AreComparedWithoutThrowing()
    {
        var keys = new PublishKeys();
        keys.Set(new Feed("f1", null, "Cam", "live/cam", new string('k', 128), null, T0));

        Assert.Equal(KeyResult.Valid, keys.Check("live/cam", new string('k', 128)).Result);
        Assert.Equal(KeyResult.Wrong, keys.Check("live/cam", new string('键', 5000)).Result);
    }

    [Fact]
    public void FeedOfKey_FindsTheFeedByItsKey_OnlyWhileTheKeyIsCurrent()
    {
        var keys = new PublishKeys();
        var feed = new Feed("f1", null, "Cam", "news/cam", "bare-key-00001", null, T0);
        keys.Set(feed);

        Assert.Equal(feed, keys.FeedOfKey("bare-key-00001"));
        Assert.Null(keys.FeedOfKey("bare-key-00002"));
        Assert.Null(keys.FeedOfKey(""));
        Assert.Null(keys.FeedOfKey(new string('k', 300)));

        keys.Set(feed with { PublishKey = null });
        Assert.Null(keys.FeedOfKey("bare-key-00001"));
    }

    [Fact]
    public void NewKey_Is128BitsOfHex_AndNeverRepeats()
    {
        var made = Enumerable.Range(0, 1000).Select(_ => PublishKeys.NewKey()).ToList();

        Assert.All(made, k => Assert.Matches("^[0-9a-f]{32}$", k));
        Assert.Equal(made.Count, made.Distinct().Count());
    }
}
