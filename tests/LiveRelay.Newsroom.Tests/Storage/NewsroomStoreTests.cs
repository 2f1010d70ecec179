using LiveRelay.Newsroom.Model;
using LiveRelay.Newsroom.Storage;

namespace LiveRelay.Newsroom.Tests.Storage;

/// <summary>
/// The store contract, run against every backend (<see cref="SqliteNewsroomStoreTests"/>,
/// <see cref="PostgresNewsroomStoreTests"/>): each test gets a freshly migrated, empty store.
/// </summary>
public abstract partial class NewsroomStoreTests : IAsyncLifetime
{
    /// <summary>A time with milliseconds, as the store keeps them.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 3, 4, 5, 6, 7, 891, TimeSpan.Zero);

    private static readonly RundownItem[] s_noItems = [];

    private SqlNewsroomStore? _store;

    protected SqlNewsroomStore Store => _store ?? throw new InvalidOperationException("The store is not created yet.");

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await _store.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await DisposeStoreAsync(_store);
        }
    }

    /// <summary>A store over an empty database.</summary>
    protected abstract Task<SqlNewsroomStore> CreateStoreAsync();

    protected abstract Task DisposeStoreAsync(SqlNewsroomStore store);

    /// <summary>Runs a scalar query on the store's database directly (to see what the API does not show).</summary>
    protected abstract Task<long> ScalarAsync(string sql);

    [Fact]
    public async Task MigrateAsync_SecondRun_KeepsSchemaAndData()
    {
        var station = new Station("s1", "Hangzhou TV", "hztv", T0);
        Assert.True(await Store.AddStationAsync(station));

        await Store.MigrateAsync();

        Assert.Equal(station, await Store.GetStationAsync("s1"));
        Assert.Equal(4, await ScalarAsync("SELECT COUNT(*) FROM schema_migrations"));
        Assert.True(await Store.AddStationAsync(new Station("s2", "Ningbo TV", "nbtv", T0)));
    }

    [Fact]
    public async Task AddStationAsync_NewCode_RoundTripsAndLists()
    {
        var zhejiang = new Station("s1", "Zhejiang TV", "zjtv", T0.AddSeconds(1));
        var anhui = new Station("s2", "Anhui 安徽卫视", "ahtv", T0);

        Assert.True(await Store.AddStationAsync(zhejiang));
        Assert.True(await Store.AddStationAsync(anhui));

        Assert.Equal(anhui, await Store.GetStationAsync("s2"));
        Assert.Null(await Store.GetStationAsync("nope"));
        Assert.Equal([anhui, zhejiang], await Store.ListStationsAsync()); // by name
    }

    [Fact]
    public async Task AddStationAsync_DuplicateCode_ReturnsFalseAndKeepsFirst()
    {
        var first = new Station("s1", "Hangzhou TV", "hztv", T0);
        Assert.True(await Store.AddStationAsync(first));

        var added = await Store.AddStationAsync(new Station("s2", "Other", "hztv", T0));

        Assert.False(added);
        Assert.Equal([first], await Store.ListStationsAsync());
    }

    [Fact]
    public async Task DeleteStationAsync_WithFeedAndShare_ClearsFeedStationAndDeletesShare()
    {
        await Store.AddStationAsync(new Station("s1", "Hangzhou TV", "hztv", T0));
        await Store.AddFeedAsync(new Feed("f1", "s1", "Cam 1", "live/cam1", null, null, T0));
        await Store.AddShareAsync(new Share("sh1", ShareKind.Feed, "f1", "s1", null, null, T0));

        Assert.True(await Store.DeleteStationAsync("s1"));

        Assert.False(await Store.DeleteStationAsync("s1"));
        Assert.Null((await Store.GetFeedAsync("f1"))!.StationId);
        Assert.Null(await Store.GetShareAsync("sh1"));
    }

    [Fact]
    public async Task AddFeedAsync_AllFieldsOrNulls_RoundTrips()
    {
        await Store.AddStationAsync(new Station("s1", "Hangzhou TV", "hztv", T0));
        var full = new Feed("f1", "s1", "Reporter 3, Xihu", "live/rep3", "k3y", "srt://10.0.0.1:9000?streamid=read:cam", T0.AddMilliseconds(1), "feed-passphrase-1", Takeover: true);
        var bare = new Feed("f2", null, "Another cam", "live/cam2", null, null, T0.AddMilliseconds(2));

        await Store.AddFeedAsync(full);
        await Store.AddFeedAsync(bare);

        Assert.Equal(full, await Store.GetFeedAsync("f1"));
        Assert.Equal(bare, await Store.GetFeedAsync("f2"));
        Assert.Null(await Store.GetFeedAsync("f3"));
        Assert.Equal([bare, full], await Store.ListFeedsAsync()); // by name
    }

    [Fact]
    public async Task UpdateFeedAsync_KeyPassphraseTakeoverAndName_AreSaved_UnknownIsFalse()
    {
        var feed = new Feed("f1", null, "Cam 1", "live/cam1", "first-key-0001", null, T0);
        await Store.AddFeedAsync(feed);
        var rotated = feed with { Name = "Cam one", PublishKey = "second-key-0002", SrtPassphrase = "a-long-passphrase", Takeover = true };

        Assert.True(await Store.UpdateFeedAsync(rotated));
        Assert.Equal(rotated, await Store.GetFeedAsync("f1"));
        var revoked = rotated with { PublishKey = null, SrtPassphrase = null, Takeover = false };
        Assert.True(await Store.UpdateFeedAsync(revoked));
        Assert.Equal(revoked, await Store.GetFeedAsync("f1"));
        Assert.False(await Store.UpdateFeedAsync(feed with { Id = "nope" }));
    }

    [Fact]
    public async Task DeleteFeedAsync_Existing_RemovesItOnce()
    {
        await Store.AddFeedAsync(new Feed("f1", null, "Cam 1", "live/cam1", null, null, T0));
        await Store.AddFeedAsync(new Feed("f2", null, "Cam 2", "live/cam2", null, null, T0));

        Assert.True(await Store.DeleteFeedAsync("f1"));

        Assert.False(await Store.DeleteFeedAsync("f1"));
        Assert.Null(await Store.GetFeedAsync("f1"));
        Assert.Equal(["f2"], (await Store.ListFeedsAsync()).Select(f => f.Id));
    }

    [Fact]
    public async Task AddRundownAsync_EveryFieldSet_GetReturnsItAndItsItemsInOrder()
    {
        await Store.AddStationAsync(new Station("s1", "Hangzhou TV", "hztv", T0));
        var rundown = FullRundown("r1");

        await Store.AddRundownAsync(rundown);

        AssertSameRundown(rundown, await Store.GetRundownAsync("r1"));
    }

    [Fact]
    public async Task AddRundownAsync_NullableFieldsNull_RoundTripsNulls()
    {
        var rundown = new Rundown
        {
            Id = "r1",
            Title = "Late news",
            Fallback = FallbackMode.None,
            ReturnWhenBack = false,
            Version = 1,
            CreatedAt = T0,
            UpdatedAt = T0,
        };

        await Store.AddRundownAsync(rundown);

        var stored = await Store.GetRundownAsync("r1");
        AssertSameRundown(rundown, stored);
        Assert.Null(stored!.StationId);
        Assert.Null(stored.PlannedStart);
        Assert.Empty(stored.Items);
    }

    [Fact]
    public async Task ListRundownsAsync_TwoRundowns_ReturnsEachWithItsOwnItemsInOrder()
    {
        await Store.AddStationAsync(new Station("s1", "Hangzhou TV", "hztv", T0));
        var second = FullRundown("r2") with { CreatedAt = T0.AddMinutes(1) };
        var first = FullRundown("r1");
        var empty = new Rundown { Id = "r3", Title = "Empty", Version = 1, CreatedAt = T0.AddMinutes(2), UpdatedAt = T0.AddMinutes(2) };
        await Store.AddRundownAsync(second);
        await Store.AddRundownAsync(first);
        await Store.AddRundownAsync(empty);

        var list = await Store.ListRundownsAsync();

        Assert.Equal(3, list.Count);
        AssertSameRundown(first, list[0]);
        AssertSameRundown(second, list[1]);
        AssertSameRundown(empty, list[2]);
    }

    [Fact]
    public async Task SaveRundownAsync_ExpectedVersion_ReplacesEverythingAndBumpsVersion()
    {
        await Store.AddStationAsync(new Station("s1", "Hangzhou TV", "hztv", T0));
        var original = FullRundown("r1");
        await Store.AddRundownAsync(original);
        var i = original.Items;
        var changed = original with
        {
            Title = "Evening news (late)",
            StationId = null,
            PlannedStart = null,
            Fallback = FallbackMode.Slate,
            FallbackSource = null,
            ReturnWhenBack = false,
            OnAirItemId = null,
            PreviewItemId = "r1-i3",
            UpdatedAt = T0.AddMinutes(5).AddMilliseconds(7),
            Items =
            [
                i[2] with { Position = 0, State = ItemState.OnAir },
                i[0] with { Position = 1, Title = "Opening, again" },
                new RundownItem("r1-i9", "r1", 2, "New item", "live/cam9", null, 30, "new", ItemState.Pending),
            ],
        };

        var saved = await Store.SaveRundownAsync(changed, expectedVersion: original.Version);

        Assert.True(saved);
        AssertSameRundown(changed with { Version = original.Version + 1 }, await Store.GetRundownAsync("r1"));
        Assert.Equal(3, await ScalarAsync("SELECT COUNT(*) FROM rundown_items WHERE rundown_id = 'r1'"));
    }

    [Fact]
    public async Task SaveRundownAsync_StaleVersion_ReturnsFalseAndChangesNothing()
    {
        await Store.AddStationAsync(new Station("s1", "Hangzhou TV", "hztv", T0));
        var original = FullRundown("r1");
        await Store.AddRundownAsync(original);
        Assert.True(await Store.SaveRundownAsync(original with { Title = "Second" }, original.Version));
        var afterFirstSave = await Store.GetRundownAsync("r1");

        var saved = await Store.SaveRundownAsync(original with { Title = "Stale edit", Items = [] }, original.Version);

        Assert.False(saved);
        AssertSameRundown(afterFirstSave!, await Store.GetRundownAsync("r1"));
        Assert.Equal(original.Version + 1, afterFirstSave!.Version);
        Assert.Equal(original.Items.Count, afterFirstSave.Items.Count);
    }

    [Fact]
    public async Task SaveRundownAsync_UnknownRundown_ReturnsFalse()
    {
        var ghost = new Rundown { Id = "ghost", Title = "Ghost", Version = 1, CreatedAt = T0, UpdatedAt = T0 };

        Assert.False(await Store.SaveRundownAsync(ghost, expectedVersion: 1));
        Assert.Null(await Store.GetRundownAsync("ghost"));
    }

    [Fact]
    public async Task DeleteRundownAsync_WithItems_DeletesItsItemsOnly()
    {
        await Store.AddStationAsync(new Station("s1", "Hangzhou TV", "hztv", T0));
        await Store.AddRundownAsync(FullRundown("r1"));
        var other = FullRundown("r2");
        await Store.AddRundownAsync(other);

        Assert.True(await Store.DeleteRundownAsync("r1"));

        Assert.False(await Store.DeleteRundownAsync("r1"));
        Assert.Null(await Store.GetRundownAsync("r1"));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM rundown_items WHERE rundown_id = 'r1'"));
        AssertSameRundown(other, await Store.GetRundownAsync("r2"));
    }

    [Fact]
    public async Task GetShareAsync_EveryField_RoundTrips()
    {
        await Store.AddStationAsync(new Station("s1", "Hangzhou TV", "hztv", T0));
        var open = new Share("sh1", ShareKind.Rundown, "r1", "s1", null, null, T0);
        var ended = new Share("sh2", ShareKind.Feed, "f1", "s1", T0.AddHours(2).AddMilliseconds(5), T0.AddHours(1).AddMilliseconds(3), T0.AddMilliseconds(1));

        await Store.AddShareAsync(open);
        await Store.AddShareAsync(ended);

        Assert.Equal(open, await Store.GetShareAsync("sh1"));
        Assert.Equal(ended, await Store.GetShareAsync("sh2"));
        Assert.Null(await Store.GetShareAsync("sh3"));
    }

    [Fact]
    public async Task ListSharesAsync_TargetAndStationFilters_ReturnMatchingInCreationOrder()
    {
        await Store.AddStationAsync(new Station("s1", "Hangzhou TV", "hztv", T0));
        await Store.AddStationAsync(new Station("s2", "Ningbo TV", "nbtv", T0));
        await Store.AddShareAsync(new Share("c", ShareKind.Rundown, "r1", "s2", null, null, T0.AddSeconds(3)));
        await Store.AddShareAsync(new Share("a", ShareKind.Rundown, "r1", "s1", null, null, T0.AddSeconds(1)));
        await Store.AddShareAsync(new Share("b", ShareKind.Feed, "f1", "s1", null, null, T0.AddSeconds(2)));

        Assert.Equal(["a", "b", "c"], (await Store.ListSharesAsync()).Select(s => s.Id));
        Assert.Equal(["a", "c"], (await Store.ListSharesAsync(targetId: "r1")).Select(s => s.Id));
        Assert.Equal(["a", "b"], (await Store.ListSharesAsync(stationId: "s1")).Select(s => s.Id));
        Assert.Equal(["c"], (await Store.ListSharesAsync(targetId: "r1", stationId: "s2")).Select(s => s.Id));
        Assert.Empty(await Store.ListSharesAsync(targetId: "f1", stationId: "s2"));
    }

    [Fact]
    public async Task RevokeShareAsync_Twice_SecondReturnsFalseAndKeepsFirstTime()
    {
        await Store.AddStationAsync(new Station("s1", "Hangzhou TV", "hztv", T0));
        await Store.AddShareAsync(new Share("sh1", ShareKind.Rundown, "r1", "s1", null, null, T0));
        var revokedAt = T0.AddMinutes(3).AddMilliseconds(21);

        Assert.True(await Store.RevokeShareAsync("sh1", revokedAt));
        Assert.False(await Store.RevokeShareAsync("sh1", revokedAt.AddMinutes(1)));

        var share = await Store.GetShareAsync("sh1");
        Assert.Equal(revokedAt, share!.RevokedAt);
        Assert.False(share.IsActive(revokedAt));
    }

    [Fact]
    public async Task RevokeShareAsync_Unknown_ReturnsFalse()
    {
        Assert.False(await Store.RevokeShareAsync("nope", T0));
    }

    [Fact]
    public async Task AddPullAsync_EveryField_RoundTrips()
    {
        var refused = new PullRecord
        {
            Id = "p1",
            StationId = "",
            StreamPath = "program/r1",
            Protocol = "srt",
            StartedAt = T0,
            EndedAt = T0,
            Refusal = "the token is malformed or forged",
        };
        var allowed = new PullRecord
        {
            Id = "p2",
            StationId = "s1",
            ShareId = "sh1",
            StreamPath = "live/cam1",
            Protocol = "rtmp",
            RemoteAddress = "10.1.2.3:50000",
            StartedAt = T0.AddMilliseconds(1),
        };

        await Store.AddPullAsync(refused);
        await Store.AddPullAsync(allowed);

        Assert.Equal([allowed, refused], await Store.ListPullsAsync(new PullQuery()));
    }

    [Fact]
    public async Task EndPullAsync_OpenPull_SetsEndAndBytesAndKeepsOrSetsReason()
    {
        await Store.AddPullAsync(Pull("p1", "s1", "live/cam1", T0));
        await Store.AddPullAsync(Pull("p2", "s1", "live/cam1", T0.AddSeconds(1)) with { Refusal = "kept" });

        await Store.EndPullAsync("p1", T0.AddSeconds(30).AddMilliseconds(250), 123_456_789_012, "the share was revoked");
        await Store.EndPullAsync("p2", T0.AddSeconds(40), 5, null);

        var pulls = (await Store.ListPullsAsync(new PullQuery())).ToDictionary(p => p.Id);
        Assert.Equal(T0.AddSeconds(30).AddMilliseconds(250), pulls["p1"].EndedAt);
        Assert.Equal(123_456_789_012, pulls["p1"].Bytes);
        Assert.Equal("the share was revoked", pulls["p1"].Refusal);
        Assert.Equal(T0.AddSeconds(40), pulls["p2"].EndedAt);
        Assert.Equal(5, pulls["p2"].Bytes);
        Assert.Equal("kept", pulls["p2"].Refusal);
    }

    [Fact]
    public async Task ListPullsAsync_Filters_ReturnMatchingNewestFirst()
    {
        await Store.AddPullAsync(Pull("p1", "s1", "live/cam1", T0));
        await Store.AddPullAsync(Pull("p2", "s2", "live/cam1", T0.AddSeconds(1)));
        await Store.AddPullAsync(Pull("p3", "s1", "program/r1", T0.AddSeconds(2)));
        await Store.AddPullAsync(Pull("p4", "s1", "live/cam1", T0.AddSeconds(3)));

        Assert.Equal(["p4", "p3", "p2", "p1"], await Ids(new PullQuery()));
        Assert.Equal(["p4", "p3", "p1"], await Ids(new PullQuery(StationId: "s1")));
        Assert.Equal(["p4", "p2", "p1"], await Ids(new PullQuery(StreamPath: "live/cam1")));
        Assert.Equal(["p4", "p1"], await Ids(new PullQuery(StationId: "s1", StreamPath: "live/cam1")));
        Assert.Equal(["p4", "p3", "p2"], await Ids(new PullQuery(Since: T0.AddSeconds(1))));
        Assert.Equal(["p4"], await Ids(new PullQuery(StationId: "s1", StreamPath: "live/cam1", Since: T0.AddMilliseconds(1))));
        Assert.Empty(await Ids(new PullQuery(StationId: "s3")));
    }

    [Fact]
    public async Task ListPullsAsync_Limit_ReturnsOnlyTheNewest()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.AddPullAsync(Pull($"p{i}", "s1", "live/cam1", T0.AddSeconds(i)));
        }

        Assert.Equal(["p4", "p3"], await Ids(new PullQuery(Limit: 2)));
        Assert.Equal(["p4"], await Ids(new PullQuery(Limit: 0))); // clamped to at least one
    }

    [Fact]
    public async Task GetOrAddSettingAsync_SecondValue_KeepsTheFirst()
    {
        Assert.Null(await Store.GetSettingAsync("token_secret"));

        var first = await Store.GetOrAddSettingAsync("token_secret", "one");
        var second = await Store.GetOrAddSettingAsync("token_secret", "two");

        Assert.Equal("one", first);
        Assert.Equal("one", second);
        Assert.Equal("one", await Store.GetSettingAsync("token_secret"));
        Assert.Equal("x", await Store.GetOrAddSettingAsync("other", "x"));
    }

    private async Task<IReadOnlyList<string>> Ids(PullQuery query) => [.. (await Store.ListPullsAsync(query)).Select(p => p.Id)];

    private static PullRecord Pull(string id, string stationId, string path, DateTimeOffset startedAt) => new()
    {
        Id = id,
        StationId = stationId,
        ShareId = "sh-" + stationId,
        StreamPath = path,
        Protocol = "hls",
        RemoteAddress = "192.0.2.7",
        StartedAt = startedAt,
    };

    /// <summary>A rundown with every field set and items whose ids do not sort in running order.</summary>
    private static Rundown FullRundown(string id) => new()
    {
        Id = id,
        StationId = "s1",
        Title = "Evening news 晚间新闻",
        PlannedStart = T0.AddHours(12).AddMilliseconds(123),
        Fallback = FallbackMode.Feed,
        FallbackSource = "live/backup",
        ReturnWhenBack = true,
        OnAirItemId = id + "-i2",
        PreviewItemId = id + "-i1",
        Version = 7,
        CreatedAt = T0,
        UpdatedAt = T0.AddSeconds(2).AddMilliseconds(456),
        Items =
        [
            new RundownItem(id + "-i3", id, 0, "Opening: studio", "live/studio", "f1", 90, "Smile", ItemState.Done),
            new RundownItem(id + "-i1", id, 1, "Reporter at Xihu", "live/rep3", null, null, null, ItemState.Pending),
            new RundownItem(id + "-i2", id, 2, "Weather", null, null, 0, "", ItemState.OnAir),
        ],
    };

    private static void AssertSameRundown(Rundown expected, Rundown? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Items, actual.Items);
        Assert.Equal(expected with { Items = s_noItems }, actual with { Items = s_noItems });
    }
}
